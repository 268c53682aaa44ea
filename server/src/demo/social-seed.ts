import sharp from 'sharp';
import type { MediaService } from '../media/service.js';
import type { PageService } from '../pages/service.js';
import { DEMO_USERS } from './users.js';

/** A demo user acting, as their socket would. */
const as = (userId: string) => ({ identity: { userId, name: DEMO_USERS[userId]?.name ?? userId, staff: null, exp: null }, ip: null });

/**
 * The demo's garden photo, drawn here rather than shipped (no binary in the repository, no
 * one's real photo): sky, lawn, a path, a bench and flower beds. The upload path then
 * re-encodes it like any visitor's photo.
 */
function gardenSvg(): string {
  const flowers = Array.from({ length: 28 }, (_, i) => {
    const x = 40 + ((i * 97) % 1120);
    const y = 560 + ((i * 53) % 200);
    const colour = ['#e5484d', '#f5d90a', '#f76b15', '#e93d82'][i % 4];
    return `<circle cx="${x}" cy="${y}" r="${10 + (i % 3) * 3}" fill="${colour}"/><circle cx="${x}" cy="${y}" r="4" fill="#fff6"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800" viewBox="0 0 1200 800">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7cc4f4"/><stop offset="1" stop-color="#d9f0ff"/></linearGradient>
    <linearGradient id="lawn" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7bc96f"/><stop offset="1" stop-color="#3f8f3a"/></linearGradient>
  </defs>
  <rect width="1200" height="800" fill="url(#sky)"/>
  <circle cx="1010" cy="130" r="70" fill="#ffe27a"/>
  <rect x="0" y="300" width="1200" height="200" fill="#c9d6df"/>
  <g fill="#a9bccb">${Array.from({ length: 12 }, (_, i) => `<rect x="${40 + i * 96}" y="330" width="56" height="40"/>`).join('')}</g>
  <path d="M0 460 Q600 400 1200 460 L1200 800 L0 800 Z" fill="url(#lawn)"/>
  <path d="M520 800 Q590 600 640 450 L700 450 Q690 600 760 800 Z" fill="#e8d9b5"/>
  <g fill="#8a5a33"><rect x="820" y="540" width="220" height="22" rx="6"/><rect x="820" y="500" width="220" height="18" rx="6"/><rect x="835" y="560" width="14" height="50"/><rect x="1012" y="560" width="14" height="50"/></g>
  <g fill="#2f6b2b"><circle cx="170" cy="420" r="90"/><circle cx="260" cy="440" r="70"/><rect x="200" y="460" width="26" height="90" fill="#6b4a2b"/></g>
  ${flowers}
</svg>`;
}

/**
 * The demo's journal as people answer it (SPEC 6.3): a newer update on jane-doe with a photo
 * (feature `media`), hearts from the family and friends, and a few comments (feature
 * `journal-social`), made through the services as visitors' own sockets would, once, when
 * the page is first seeded. Each part is skipped on a server without its feature.
 */
export async function seedDemoSocial(service: PageService, media: MediaService | null): Promise<void> {
  const pageId = 'jane-doe';
  let photo: { id: string; alt: string }[] = [];
  if (media) {
    const jpeg = await sharp(Buffer.from(gardenSvg())).jpeg({ quality: 88 }).toBuffer();
    const uploaded = await media.ingest(pageId, 'jane', jpeg);
    photo = [{ id: uploaded.id, alt: 'The hospital garden on a sunny afternoon: a sandy path through the lawn, a wooden bench, and beds of red and yellow flowers.' }];
  }
  const entry = await service.postJournal(as('jane'), {
    pageId,
    clientId: 'seed-journal-photo',
    title: 'Out in the garden',
    body: 'The nurses wheeled me out to the garden today. **Fresh air at last!**\n\nThank you for all the messages, I read every one of them.',
    ...(photo.length ? { media: photo } : {}),
  });
  const social = service.social;
  if (!social) return;
  for (const userId of ['sam', 'friend', 'visitor']) await social.heart(as(userId), { pageId, entryId: entry.id, on: true });
  const comments: [string, string][] = [
    ['friend', 'What a beautiful day for it! Enjoy the sunshine \u{1F33B}'],
    ['sam', 'The physio says she can go out every afternoon now.'],
    ['visitor', 'So happy to see this. Sending love from the whole team at the library.'],
  ];
  for (const [i, [userId, body]] of comments.entries()) await social.comment(as(userId), { pageId, entryId: entry.id, clientId: `seed-comment-${i}`, body });
}
