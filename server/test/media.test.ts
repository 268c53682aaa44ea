/**
 * Journal photos (SPEC 6.3), through the public surfaces: the upload endpoint, `journal:post`
 * and `journal:edit` with `media`, answers and events, signed `GET /media/…` URLs, and
 * deletion. Real sharp reads every image served back.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import type { JournalEntry, MediaItem, PageSnapshot } from '../../src/protocol/index.js';
import type { MediaDatabase } from '../src/media/schema.js';
import { defaultMediaSettings, mediaKey } from '../src/media/settings.js';
import { MediaSigner } from '../src/media/signing.js';
import { fileServer, startServer, type TestServer } from './helpers.js';
import { fetchImage, jpegWithGps, NOT_AN_IMAGE, pngBomb, pngWithText, SVG, upload, webpWithExif } from './media-helpers.js';

const MAX_BYTES = 256 * 1024;
const server = fileServer({ media: defaultMediaSettings({ maxBytes: MAX_BYTES, perPage: 8 }) });
const mediaDb = (ts: TestServer) => ts.db as unknown as Kysely<MediaDatabase>;

async function mediaRows(ts: TestServer, pageId: string): Promise<{ media: number; blobs: number }> {
  const db = mediaDb(ts);
  const rows = await db.selectFrom('media').select('id').where('page_id', '=', pageId).execute();
  const ids = rows.map((r) => r.id);
  const blobs = ids.length ? await db.selectFrom('media_blobs').select('media_id').where('media_id', 'in', ids).execute() : [];
  return { media: rows.length, blobs: blobs.length };
}

/** Uploads `file` as the owner and posts it in a new entry; answers the entry as the owner got it. */
async function postWithPhoto(ts: TestServer, pageId: string, file: Buffer, alt = 'A red square'): Promise<JournalEntry> {
  const up = await upload(ts, pageId, file);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const owner = await server.connect('owner');
  const { entry } = await owner.ok('journal:post', { pageId, clientId: `c-${randomBytes(4).toString('hex')}`, title: 'Update', body: 'Today.', media: [{ id: up.body.media.id, alt }] });
  return entry;
}

async function assertNoMetadata(image: Buffer, label: string): Promise<void> {
  const m = await sharp(image).metadata();
  assert.equal(m.format, 'webp', `${label}: re-encoded as WebP`);
  assert.equal(m.exif, undefined, `${label}: no EXIF`);
  assert.equal(m.icc, undefined, `${label}: no ICC profile`);
  assert.equal(m.xmp, undefined, `${label}: no XMP`);
  assert.equal(m.iptc, undefined, `${label}: no IPTC`);
  assert.equal(m.comments, undefined, `${label}: no text comments`);
  for (const marker of ['SERIAL-998877', 'CameraMakerX', 'ModelY-TEST', 'Jane Doe', 'Room 4B', 'Exif']) {
    assert.ok(!image.includes(marker), `${label}: "${marker}" is not in the bytes`);
  }
}

describe('upload and re-encoding', () => {
  it('a JPEG with GPS and a camera serial comes back without any metadata, at both sizes', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    const original = await jpegWithGps(2400, 1800);
    assert.ok((await sharp(original).metadata()).exif, 'the test image does carry EXIF');
    assert.ok(original.includes('SERIAL-998877'));
    const up = await upload(ts, pageId, original);
    assert.equal(up.status, 201);
    assert.deepEqual(Object.keys(up.body.media).sort(), ['height', 'id', 'width']);
    assert.equal(up.body.media.width, 1600);
    assert.equal(up.body.media.height, 1200);

    const owner = await server.connect('owner');
    const { entry } = await owner.ok('journal:post', { pageId, clientId: 'gps', title: 'Photo', body: 'With a photo.', media: [{ id: up.body.media.id, alt: '  A red square  ' }] });
    assert.equal(entry.media?.length, 1);
    const item = entry.media![0]!;
    assert.equal(item.alt, 'A red square', 'alt text is trimmed');
    assert.deepEqual([item.width, item.height, item.thumbWidth, item.thumbHeight], [1600, 1200, 400, 300]);
    assert.ok(Date.parse(item.expiresAt) - Date.now() <= 3_600_000, 'URLs live at most an hour');

    for (const [label, url, w, h] of [['display', item.url, 1600, 1200], ['thumbnail', item.thumbUrl, 400, 300]] as const) {
      const res = await fetchImage(ts, url);
      assert.equal(res.status, 200, label);
      assert.equal(res.headers.get('content-type'), 'image/webp');
      assert.match(res.headers.get('cache-control') ?? '', /^private\b/);
      const meta = await sharp(res.body).metadata();
      assert.deepEqual([meta.width, meta.height], [w, h], label);
      await assertNoMetadata(res.body, label);
    }
  });

  it('a PNG with a text chunk and a WebP with EXIF lose their metadata too', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    const png = await pngWithText();
    assert.ok((await sharp(png).metadata()).comments?.length, 'the test PNG does carry a text chunk');
    for (const [file, name] of [[png, 'png'], [await webpWithExif(), 'webp']] as const) {
      const entry = await postWithPhoto(ts, pageId, file);
      const res = await fetchImage(ts, entry.media![0]!.url);
      assert.equal(res.status, 200);
      await assertNoMetadata(res.body, name);
      assert.equal((await sharp(res.body).metadata()).hasAlpha, name === 'webp', 'transparency is kept');
    }
  });

  it('refuses a file over the limit, a renamed non-image, a decompression bomb and an SVG, storing nothing', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    const big = Buffer.concat([await jpegWithGps(64, 64), randomBytes(MAX_BYTES)]);
    const cases: [string, Buffer, number, string][] = [
      ['over the limit', big, 413, 'too_large'],
      ['a PDF named photo.jpg', NOT_AN_IMAGE, 400, 'invalid'],
      ['a decompression bomb', pngBomb(), 413, 'too_large'],
      ['an SVG', SVG, 400, 'invalid'],
      ['truncated JPEG', (await jpegWithGps(800, 600)).subarray(0, 600), 400, 'invalid'],
    ];
    const bomb = pngBomb();
    assert.ok(bomb.length < 100_000, `the bomb is small (${bomb.length} bytes)`);
    for (const [label, file, status, code] of cases) {
      const r = await upload(ts, pageId, file);
      assert.equal(r.status, status, `${label}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, code, label);
    }
    assert.deepEqual(await mediaRows(ts, pageId), { media: 0, blobs: 0 });
  });

  it('only owners and editors upload, with their own token', async () => {
    const ts = server.ts;
    const pageId = await ts.page({ followers: ['friend'] });
    const photo = await jpegWithGps(32, 32);
    assert.equal((await upload(ts, pageId, photo, { user: null })).status, 401);
    assert.equal((await upload(ts, pageId, photo, { token: 'not-a-jwt' })).status, 401);
    assert.equal((await upload(ts, pageId, photo, { user: 'friend' })).status, 403);
    assert.equal((await upload(ts, pageId, photo, { user: 'stranger' })).status, 403);
    assert.equal((await upload(ts, 'no-such-page', photo)).status, 404);
    assert.equal((await upload(ts, pageId, photo, { user: 'editor' })).status, 201);
    const noFile = await fetch(`${ts.url}/api/pages/${pageId}/media`, { method: 'POST', headers: { authorization: `Bearer ${await ts.token('owner')}` }, body: new FormData() });
    assert.equal(noFile.status, 400);
  });

  it('a page holds at most CARE_MEDIA_PER_PAGE photos', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    const photo = await jpegWithGps(16, 16);
    for (let i = 0; i < 8; i++) assert.equal((await upload(ts, pageId, photo)).status, 201);
    const r = await upload(ts, pageId, photo);
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'too_large');
  });

  it('answers the CORS preflight of a browser on the hospital site', async () => {
    const ts = server.ts;
    const res = await fetch(`${ts.url}/api/pages/x/media`, { method: 'OPTIONS', headers: { origin: 'https://hospital.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://hospital.example');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  });
});

describe('photos in posts and edits', () => {
  it('validates media: alt text required, at most 6, each once, uploads of this page only, not reused', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    const other = await ts.page();
    const owner = await server.connect('owner');
    const photo = await jpegWithGps(16, 16);
    const id = (await upload(ts, pageId, photo)).body.media.id as string;
    const foreign = (await upload(ts, other, photo)).body.media.id as string;
    const post = (clientId: string, media: unknown) => owner.raw('journal:post', { pageId, clientId, title: 't', body: 'b', media }) as Promise<{ ok: boolean; error?: { code: string } }>;
    assert.equal((await post('a', [{ id, alt: '   ' }])).error?.code, 'invalid');
    assert.equal((await post('b', [{ id }])).error?.code, 'invalid');
    assert.equal((await post('c', [{ id, alt: 'x'.repeat(301) }])).error?.code, 'too_large');
    assert.equal((await post('d', Array.from({ length: 7 }, (_, i) => ({ id: `${id}${i}`, alt: 'x' })))).error?.code, 'invalid');
    assert.equal((await post('e', [{ id, alt: 'x' }, { id, alt: 'y' }])).error?.code, 'invalid');
    assert.equal((await post('f', [{ id: foreign, alt: 'x' }])).error?.code, 'invalid', "another page's upload");
    assert.equal((await post('g', [{ id: 'no-such-upload', alt: 'x' }])).error?.code, 'invalid');
    const first = await post('h', [{ id, alt: 'x' }]);
    assert.equal(first.ok, true);
    assert.equal((await post('i', [{ id, alt: 'x' }])).error?.code, 'invalid', 'a photo belongs to one update');
    // A retried post (same clientId) is the same entry with the same photo.
    const again = (await post('h', [{ id, alt: 'x' }])) as unknown as { ok: boolean; entry: JournalEntry };
    assert.equal(again.ok, true);
    assert.equal(again.entry.media?.[0]?.id, id);
    const { entries } = await ts.storage.journalPage(pageId, null, 10).then((p) => ({ entries: p.items }));
    assert.equal(entries.length, 1, 'refused posts wrote nothing');
  });

  it('an edit replaces the photos; a removed photo is deleted', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    const owner = await server.connect('owner');
    const a = (await upload(ts, pageId, await jpegWithGps(40, 30))).body.media.id as string;
    const b = (await upload(ts, pageId, await pngWithText())).body.media.id as string;
    const { entry } = await owner.ok('journal:post', { pageId, clientId: 'e1', title: 't', body: 'b', media: [{ id: a, alt: 'first' }, { id: b, alt: 'second' }] });
    assert.deepEqual(entry.media!.map((m) => [m.id, m.alt]), [[a, 'first'], [b, 'second']]);
    const oldUrl = entry.media![0]!.url;
    assert.equal((await fetchImage(ts, oldUrl)).status, 200);
    const edited = await owner.ok('journal:edit', { pageId, entryId: entry.id, title: 't', body: 'b', media: [{ id: b, alt: 'now first' }] });
    assert.deepEqual(edited.entry.media!.map((m) => [m.id, m.alt]), [[b, 'now first']]);
    assert.equal((await fetchImage(ts, oldUrl)).status, 404, 'the removed photo is gone');
    assert.deepEqual(await mediaRows(ts, pageId), { media: 1, blobs: 2 });
    // Without `media`, an edit leaves the photos alone.
    const textOnly = await owner.ok('journal:edit', { pageId, entryId: entry.id, title: 't2', body: 'b2' });
    assert.deepEqual(textOnly.entry.media!.map((m) => m.id), [b]);
  });

  it('readers get photos in snapshots, catch-up, history, live events and media:urls', async () => {
    const ts = server.ts;
    const pageId = await ts.page({ visibility: 'private', followers: ['friend'] });
    const friend = await server.connect('friend');
    const watcher = await server.connect('watcher');
    const sub = (await friend.ok('page:subscribe', { pageId })) as unknown as { seq: number };
    await watcher.ok('page:subscribe', { pageId });
    const mark = watcher.mark();
    const entry = await postWithPhoto(ts, pageId, await jpegWithGps(300, 200), 'Jane at the window');
    const live = await friend.waitFor<{ entry: JournalEntry }>('journal:entry', (e) => e.entry.id === entry.id);
    const item = live.entry.media![0]!;
    assert.equal(item.alt, 'Jane at the window');
    assert.notEqual(item.url, entry.media![0]!.url, "the follower's URL is their own, not the owner's");
    assert.equal((await fetchImage(ts, item.url)).status, 200);
    await watcher.barrier();
    assert.deepEqual(watcher.after(mark, pageId), [], 'a non-reader gets nothing');

    const since = (await friend.ok('page:subscribe', { pageId, since: sub.seq })) as unknown as { events?: { type: string; data: { entry?: JournalEntry } }[] };
    const replayed = since.events!.find((e) => e.type === 'journal:entry')!.data.entry!;
    assert.equal(replayed.media![0]!.alt, 'Jane at the window');
    const snap = (await friend.ok('page:subscribe', { pageId })) as unknown as { snapshot: PageSnapshot };
    assert.equal(snap.snapshot.journal[0]!.media![0]!.id, item.id);
    const hist = await friend.ok('history:load', { pageId, stream: 'journal', before: Number.MAX_SAFE_INTEGER, limit: 10 });
    assert.equal((hist.items[0] as JournalEntry).media![0]!.id, item.id);
    const urls = await friend.ok('media:urls', { pageId, entryId: entry.id });
    assert.equal(urls.media[0]!.id, item.id);
    assert.equal((await fetchImage(ts, urls.media[0]!.thumbUrl)).status, 200);
    await watcher.fails('media:urls', { pageId, entryId: entry.id }, 'forbidden');
    const anon = await server.connect(null);
    await anon.fails('media:urls', { pageId, entryId: entry.id }, 'unauthorized');
  });
});

describe('signed URLs', () => {
  const signer = (ts: TestServer) => new MediaSigner(mediaKey(defaultMediaSettings(), ts.secret), 900);

  it('are refused after expiry, with a tampered signature, or moved to another page', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    const otherPage = await ts.page();
    const entry = await postWithPhoto(ts, pageId, await jpegWithGps(50, 50));
    const otherEntry = await postWithPhoto(ts, otherPage, await jpegWithGps(50, 50));
    const item = entry.media![0]!;
    assert.equal((await fetchImage(ts, item.url)).status, 200);

    const expired = signer(ts).url({ pageId, mediaId: item.id, variant: 'display', viewer: { kind: 'user', userId: 'owner' }, exp: Math.floor(Date.now() / 1000) - 1 });
    const r1 = await fetchImage(ts, expired);
    assert.equal(r1.status, 403);
    assert.match(JSON.parse(r1.body.toString()).error.message, /expired/);

    const u = new URL(item.url, ts.url);
    const sig = u.searchParams.get('s')!;
    u.searchParams.set('s', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    assert.equal((await fetchImage(ts, u.toString())).status, 403, 'tampered signature');
    const later = new URL(item.url, ts.url);
    later.searchParams.set('e', String(Number(later.searchParams.get('e')) + 3600));
    assert.equal((await fetchImage(ts, later.toString())).status, 403, 'a later expiry under the same signature');
    const bigger = new URL(item.thumbUrl, ts.url);
    bigger.pathname = bigger.pathname.replace(/thumb$/, 'display');
    assert.equal((await fetchImage(ts, bigger.toString())).status, 403, 'the thumbnail signature does not open the display size');

    // Another page's image: the path moved to it fails the signature; a URL signed for this
    // page but naming the other page's photo finds no such photo here.
    const moved = new URL(item.url, ts.url);
    moved.pathname = moved.pathname.replace(item.id, otherEntry.media![0]!.id);
    assert.equal((await fetchImage(ts, moved.toString())).status, 403);
    const crossSigned = signer(ts).url({ pageId, mediaId: otherEntry.media![0]!.id, variant: 'display', viewer: { kind: 'user', userId: 'owner' }, exp: Math.floor(Date.now() / 1000) + 600 });
    assert.equal((await fetchImage(ts, crossSigned)).status, 404);
  });

  it('stop working when the viewer loses access to the page', async () => {
    const ts = server.ts;
    const pageId = await ts.page({ visibility: 'private', followers: ['friend'] });
    await postWithPhoto(ts, pageId, await jpegWithGps(50, 50));
    const friend = await server.connect('friend');
    const snap = (await friend.ok('page:subscribe', { pageId })) as unknown as { snapshot: PageSnapshot };
    const url = snap.snapshot.journal[0]!.media![0]!.url;
    assert.equal((await fetchImage(ts, url)).status, 200);
    const owner = await server.connect('owner');
    await owner.ok('follow:remove', { pageId, userId: 'friend' });
    const r = await fetchImage(ts, url);
    assert.equal(r.status, 403, 'the removed follower’s URL is dead');
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  it('a public page’s URLs stop working when it becomes private', async () => {
    const ts = server.ts;
    const pageId = await ts.page({ visibility: 'public' });
    await postWithPhoto(ts, pageId, await jpegWithGps(50, 50));
    const anon = await server.connect(null);
    const url = ((await anon.ok('page:subscribe', { pageId })) as unknown as { snapshot: PageSnapshot }).snapshot.journal[0]!.media![0]!.url;
    assert.equal((await fetchImage(ts, url)).status, 200);
    const admin = await ts.token('owner');
    assert.equal((await ts.rest('PATCH', `/api/pages/${pageId}`, { token: admin, body: { visibility: 'private' } })).status, 200);
    assert.equal((await fetchImage(ts, url)).status, 403);
  });
});

describe('deletion', () => {
  it('deleting an entry or a page deletes its images', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    const owner = await server.connect('owner');
    const one = await postWithPhoto(ts, pageId, await jpegWithGps(50, 50));
    const two = await postWithPhoto(ts, pageId, await pngWithText());
    assert.deepEqual(await mediaRows(ts, pageId), { media: 2, blobs: 4 });
    await owner.ok('journal:delete', { pageId, entryId: one.id });
    assert.equal((await fetchImage(ts, one.media![0]!.url)).status, 404);
    assert.deepEqual(await mediaRows(ts, pageId), { media: 1, blobs: 2 });
    assert.equal((await ts.rest('DELETE', `/api/pages/${pageId}`, { token: await ts.token('owner') })).status, 204);
    assert.deepEqual(await mediaRows(ts, pageId), { media: 0, blobs: 0 });
    assert.equal((await fetchImage(ts, two.media![0]!.url)).status, 404);
  });

  it('uploads no update took are deleted after a day', async () => {
    const ts = server.ts;
    const pageId = await ts.page();
    await upload(ts, pageId, await jpegWithGps(20, 20));
    await postWithPhoto(ts, pageId, await jpegWithGps(20, 20));
    assert.equal((await mediaRows(ts, pageId)).media, 2);
    await ts.server.media!.sweep(Date.now() + 23 * 3_600_000);
    assert.equal((await mediaRows(ts, pageId)).media, 2, 'kept for a day');
    await ts.server.media!.sweep(Date.now() + 25 * 3_600_000);
    assert.deepEqual(await mediaRows(ts, pageId), { media: 1, blobs: 2 }, 'the posted photo stays');
  });
});

describe('files in CARE_MEDIA_DIR', () => {
  let dir: string;
  let fs: TestServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'care-media-'));
    fs = await startServer({ media: defaultMediaSettings({ dir }) });
  });
  after(async () => {
    await fs?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const files = async () => (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.webp'));

  it('stores, serves and deletes files; the database holds no bytes', async () => {
    const pageId = await fs.page();
    const up = await upload(fs, pageId, await jpegWithGps(500, 400));
    assert.equal(up.status, 201);
    assert.equal((await files()).length, 2);
    const owner = await fs.connect('owner');
    const { entry } = await owner.ok('journal:post', { pageId, clientId: 'f', title: 't', body: 'b', media: [{ id: up.body.media.id, alt: 'x' }] });
    const res = await fetchImage(fs, (entry.media as MediaItem[])[0]!.url);
    assert.equal(res.status, 200);
    await assertNoMetadata(res.body, 'file');
    assert.equal((await mediaDb(fs).selectFrom('media_blobs').select('media_id').execute()).length, 0);
    await owner.ok('journal:delete', { pageId, entryId: entry.id });
    assert.deepEqual(await files(), []);
    owner.close();
  });
});

describe('on PostgreSQL (bytea)', { skip: process.env.DATABASE_URL ? false : 'DATABASE_URL is not set' }, () => {
  let pg: { url: string; drop(): Promise<void> };
  let ps: TestServer;
  before(async () => {
    const { freshPostgres } = await import('./pg.js');
    pg = await freshPostgres(process.env.DATABASE_URL!);
    ps = await startServer({ db: pg.url });
  });
  after(async () => {
    await ps?.close();
    await pg?.drop();
  });

  it('stores, serves without metadata, and purges with the page', async () => {
    const pageId = await ps.page();
    const up = await upload(ps, pageId, await jpegWithGps(800, 600));
    assert.equal(up.status, 201);
    const owner = await ps.connect('owner');
    const { entry } = await owner.ok('journal:post', { pageId, clientId: 'pg', title: 't', body: 'b', media: [{ id: up.body.media.id, alt: 'x' }] });
    const res = await fetchImage(ps, entry.media![0]!.url);
    assert.equal(res.status, 200);
    await assertNoMetadata(res.body, 'postgres');
    assert.deepEqual(await mediaRows(ps, pageId), { media: 1, blobs: 2 });
    assert.equal((await ps.rest('DELETE', `/api/pages/${pageId}`, { token: await ps.token('owner') })).status, 204);
    assert.deepEqual(await mediaRows(ps, pageId), { media: 0, blobs: 0 });
    owner.close();
  });
});
