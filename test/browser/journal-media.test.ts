import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/journal-feed/define.js';
import { connectionFor } from '../../src/client/connection.js';
import type { CareJournalFeed } from '../../src/components/journal-feed/journal-feed.js';
import { en } from '../../src/i18n/en.js';
import { firstWaveUrl, otherHost, seedPage, serverUrl, settled, uniquePage, waitFor } from './helpers.js';
import { mount } from './harness.js';
import { MediaHarness, photo } from './media-harness.js';

const feed = (page: string, user: string | null, host?: string, attrs?: Record<string, string>) => mount('care-journal-feed', { page, user, host, attrs });
const media = (el: CareJournalFeed) => new MediaHarness(el);

/** Chooses photos, describes each, waits for the uploads, and posts the update. */
async function postPhotos(owner: MediaHarness, title: string, alts: string[]): Promise<void> {
  owner.choose(await Promise.all(alts.map((a, i) => photo(`p${i}.jpg`, { label: a }))));
  await settled(owner.el);
  alts.forEach((a, i) => owner.describe(i, a));
  await owner.uploaded();
  owner.post(title, 'With photos.');
}

describe('<care-journal-feed> photos (feature media)', () => {
  it('posts a photo with alt text and the other window shows it live, responsive and lazy, with its space reserved', async () => {
    const pageId = uniquePage('media-live');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = media(await feed(pageId, 'olga'));
    const reader = media(await feed(pageId, 'rita', await otherHost()));
    expect(reader.picker(), 'no picker for a reader').to.equal(null);
    const posted = new Promise<CustomEvent>((r) => owner.el.addEventListener('care-posted', (e) => r(e), { once: true }));
    await postPhotos(owner, 'Garden walk', ['Jane smiling in a wheelchair in the hospital garden']);
    const ev = await posted;
    expect(ev.detail.item.media).to.have.length(1);
    // The composer is empty again.
    await settled(owner.el);
    expect(owner.drafts()).to.have.length(0);

    await waitFor(() => reader.thumbnails('Garden walk').length === 1, 'the photo in the other window');
    const [thumb] = reader.thumbnails('Garden walk');
    const img = thumb!.img;
    expect(img.alt).to.equal('Jane smiling in a wheelchair in the hospital garden');
    expect(img.getAttribute('loading')).to.equal('lazy');
    expect(Number(img.getAttribute('width'))).to.be.greaterThan(0);
    expect(Number(img.getAttribute('height'))).to.be.greaterThan(0);
    // Two sizes: the thumbnail and the display image.
    expect(img.srcset.split(',')).to.have.length(2);
    expect(img.sizes).to.not.equal('');
    await waitFor(() => MediaHarness.loaded(img), 'the thumbnail to load through its signed URL');
    // Width and height keep the photo's proportions (640×480 here).
    expect(Number(img.getAttribute('width')) / Number(img.getAttribute('height'))).to.be.closeTo(4 / 3, 0.02);
  });

  it('opens the viewer from the keyboard: focus inside, Tab wraps, arrows move, alt text shown, Escape closes and focus returns', async () => {
    const pageId = uniquePage('media-viewer');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = media(await feed(pageId, 'olga'));
    await postPhotos(owner, 'Three photos', ['First: the flowers', 'Second: the card from the kids', 'Third: the view from the window']);
    const reader = media(await feed(pageId, 'rita', await otherHost()));
    await waitFor(() => reader.thumbnails('Three photos').length === 3, 'three thumbnails');

    const second = reader.thumbnails('Three photos')[1]!.button;
    second.focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => reader.viewer()?.open === true, 'the viewer to open');
    expect(reader.viewer()!.getAttribute('aria-labelledby')).to.not.equal(null);
    expect(reader.viewerCaption()).to.equal('Second: the card from the kids');
    expect(reader.viewerImage()!.alt).to.equal('Second: the card from the kids');
    await waitFor(() => MediaHarness.loaded(reader.viewerImage()!), 'the display image');
    // Focus is in the dialog, on Close.
    expect(reader.focused()?.textContent?.trim()).to.equal(en.close);

    await sendKeys({ press: 'ArrowRight' });
    await waitFor(() => reader.viewerCaption() === 'Third: the view from the window', 'next photo');
    await sendKeys({ press: 'ArrowRight' });
    await waitFor(() => reader.viewerCaption() === 'First: the flowers', 'wrapped to the first');
    await sendKeys({ press: 'ArrowLeft' });
    await waitFor(() => reader.viewerCaption() === 'Third: the view from the window', 'previous photo');
    await sendKeys({ press: 'Home' });
    await waitFor(() => reader.viewerCaption() === 'First: the flowers', 'Home');

    // Tab stays in the dialog: Close → Previous → Next → Close.
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      await sendKeys({ press: 'Tab' });
      seen.push(reader.focused()?.textContent?.trim() ?? '');
    }
    expect(seen).to.deep.equal([en.previousPhoto, en.nextPhoto, en.close, en.previousPhoto]);
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(reader.focused()?.textContent?.trim()).to.equal(en.nextPhoto);
    // Enter on Next moves on, as a click does.
    await sendKeys({ press: 'Enter' });
    await waitFor(() => reader.viewerCaption() === 'Second: the card from the kids', 'Next by Enter');

    await sendKeys({ press: 'Escape' });
    await waitFor(() => reader.viewer() === null, 'the viewer to close');
    expect(reader.focused()).to.equal(second);
  });

  it('lays out the viewer right to left: ArrowLeft is next in Arabic', async () => {
    const pageId = uniquePage('media-rtl');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = media(await feed(pageId, 'olga'));
    await postPhotos(owner, 'Two', ['one', 'two']);
    owner.el.lang = 'ar';
    // The feed renders again in Arabic (its list in slices): wait for the photos to be back.
    await waitFor(() => owner.dir() === 'rtl' && owner.thumbnails('Two').length === 2, 'rtl, with the photos');
    owner.thumbnails('Two')[0]!.button.click();
    await waitFor(() => owner.viewer()?.open === true, 'the viewer');
    await sendKeys({ press: 'ArrowLeft' });
    await waitFor(() => owner.viewerCaption() === 'two', 'ArrowLeft moves forward right to left');
    owner.viewer()!.querySelector<HTMLButtonElement>('[part~=viewer-close]')!.click();
    await waitFor(() => owner.viewer() === null, 'closed');
  });

  it('composer: refuses files that are not photos and a seventh photo, removes one before posting, asks for alt text', async () => {
    const pageId = uniquePage('media-compose');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = media(await feed(pageId, 'olga'));
    owner.choose([new File(['not an image'], 'notes.txt', { type: 'text/plain' })]);
    await settled(owner.el);
    expect(owner.picker()!.querySelector('[role=alert]')!.textContent).to.include('notes.txt');
    expect(owner.drafts()).to.have.length(0);

    const files = await Promise.all(Array.from({ length: 7 }, (_, i) => photo(`p${i}.jpg`, { w: 320, h: 240 })));
    owner.choose(files);
    await settled(owner.el);
    expect(owner.drafts()).to.have.length(6);
    expect(owner.picker()!.querySelector('[role=alert]')!.textContent).to.include(en.tooManyPhotos.other.replace('{n}', '6'));
    expect(owner.part<HTMLButtonElement>('add-photos')!.disabled, 'Add photos disabled when full').to.equal(true);
    // Progress is shown while uploading, then "Uploaded".
    await owner.uploaded();
    expect(owner.parts('upload-status').map((s) => s.textContent?.trim())).to.deep.equal(Array(6).fill(en.photoUploaded));

    // Remove all but two, by their Remove buttons.
    for (let i = 0; i < 4; i++) {
      owner.drafts()[2]!.querySelector<HTMLButtonElement>('[part~=remove-photo]')!.click();
      await settled(owner.el);
    }
    expect(owner.drafts()).to.have.length(2);
    expect(owner.part<HTMLButtonElement>('add-photos')!.disabled).to.equal(false);

    // Without alt text the form does not post, and says so in the widget's language.
    owner.describe(0, 'A described photo');
    owner.post('Two photos', 'Body');
    await settled(owner.el);
    const missing = owner.drafts()[1]!.querySelector<HTMLInputElement>('input')!;
    expect(missing.validationMessage).to.equal(en.fieldRequired);
    expect(owner.titles()).to.deep.equal([]);
    owner.describe(1, 'Another one');
    owner.post('Two photos', 'Body');
    await waitFor(() => owner.thumbnails('Two photos').length === 2, 'the update with its two photos');
    expect(owner.thumbnails('Two photos').map((t) => t.img.alt)).to.deep.equal(['A described photo', 'Another one']);
  });

  it('takes dropped files, shows why the server refused one (a renamed non-image), and retries or removes it', async () => {
    const pageId = uniquePage('media-drop');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = media(await feed(pageId, 'olga'));
    const fake = new File(['GIF89a but not really a jpeg'], 'fake.jpg', { type: 'image/jpeg' });
    owner.drop([await photo('dropped.png', { type: 'image/png' }), fake]);
    await settled(owner.el);
    expect(owner.drafts()).to.have.length(2);
    await owner.uploaded();
    const [ok, bad] = owner.drafts();
    expect(ok!.querySelector('[part~=upload-status]')!.textContent).to.equal(en.photoUploaded);
    expect(bad!.querySelector('[part~=upload-status]')!.getAttribute('role')).to.equal('alert');
    expect(bad!.textContent).to.include(en.tryAgain);
    // Posting with a failed photo is refused in the widget; nothing reaches the page.
    owner.describe(0, 'Dropped');
    owner.describe(1, 'Fake');
    owner.post('Dropped', 'x');
    await waitFor(() => owner.text().includes(en.photosNotReady), 'the refusal');
    expect(owner.titles()).to.deep.equal([]);
    bad!.querySelector<HTMLButtonElement>('[part~=remove-photo]')!.click();
    await settled(owner.el);
    owner.post('Dropped', 'x');
    await waitFor(() => owner.thumbnails('Dropped').length === 1, 'posted with the good photo');
  });

  it('asks for fresh URLs when a photo fails to load (an expired or altered URL) and shows it again', async () => {
    const pageId = uniquePage('media-refresh');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = media(await feed(pageId, 'olga'));
    await postPhotos(owner, 'Refresh me', ['The photo']);
    await waitFor(() => owner.thumbnails('Refresh me').length === 1, 'the photo');
    // The page's store hands an entry whose URLs no longer work, as after their expiry.
    const store = connectionFor(await serverUrl()).store(pageId);
    try {
      const entry = store.state.journal.find((e) => e.title === 'Refresh me')!;
      const m = entry.media![0]!;
      const broken = { ...m, url: `${m.url}x`, thumbUrl: `${m.thumbUrl}x` };
      // Every srcset the thumbnail gets, in order (the fresh URLs may follow within a frame).
      const img = owner.thumbnails('Refresh me')[0]!.img;
      const seen: string[] = [];
      const watch = new MutationObserver(() => seen.push(img.srcset));
      watch.observe(img, { attributeFilter: ['srcset'] });
      const seq = store.state.seq + 1;
      store.receive({ type: 'journal:entry', data: { pageId, seq, entry: { ...entry, seq, media: [broken] } } });
      const shown = () => owner.thumbnails('Refresh me')[0]!.img.srcset;
      await waitFor(() => seen.some((s) => s.includes(`${broken.thumbUrl} `)), 'the broken URL in place');
      await waitFor(() => !shown().includes(`${broken.thumbUrl} `), 'fresh URLs');
      watch.disconnect();
      await waitFor(() => MediaHarness.loaded(owner.thumbnails('Refresh me')[0]!.img), 'the photo shown again');
    } finally {
      connectionFor(await serverUrl()).releaseStore(pageId);
    }
  });

  it('edits an update\'s photos: removes one and corrects the other\'s alt text, live for readers', async () => {
    const pageId = uniquePage('media-edit');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = media(await feed(pageId, 'olga'));
    await postPhotos(owner, 'Edit me', ['first photo', 'secnod photo']);
    const reader = media(await feed(pageId, 'rita', await otherHost()));
    await waitFor(() => reader.thumbnails('Edit me').length === 2, 'two photos at the reader');
    await waitFor(() => owner.thumbnails('Edit me').length === 2, 'two photos at the owner');
    owner.buttonNamed(en.edit)!.click();
    await settled(owner.el);
    const form = owner.root.querySelector<HTMLFormElement>(`form[aria-label="${en.edit}"]`)!;
    const rows = () => [...form.querySelectorAll<HTMLElement>('[part~=photo-draft]')];
    expect(rows()).to.have.length(2);
    rows()[0]!.querySelector<HTMLButtonElement>('[part~=remove-photo]')!.click();
    await settled(owner.el);
    expect(rows()).to.have.length(1);
    const alt = rows()[0]!.querySelector<HTMLInputElement>('input')!;
    expect(alt.value).to.equal('secnod photo');
    alt.value = 'second photo';
    form.requestSubmit();
    await waitFor(() => reader.thumbnails('Edit me').length === 1, 'one photo left at the reader');
    await waitFor(() => reader.thumbnails('Edit me')[0]!.img.alt === 'second photo', 'the corrected alt text');
    await waitFor(() => MediaHarness.loaded(reader.thumbnails('Edit me')[0]!.img), 'the photo still loads');
  });

  it('shows the number of photos on an update still in the outbox', async () => {
    const pageId = uniquePage('media-offline');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = media(await feed(pageId, 'olga'));
    owner.choose([await photo('a.jpg')]);
    await settled(owner.el);
    owner.describe(0, 'Offline photo');
    await owner.uploaded();
    const conn = connectionFor(await serverUrl());
    conn.socket.disconnect();
    await waitFor(() => conn.state === 'offline', 'offline');
    owner.post('Queued with a photo', 'x');
    await waitFor(() => owner.unsent().length === 1, 'the pending update');
    expect(owner.unsent()[0]!.article.textContent).to.include('1 photo');
    conn.socket.connect();
    await waitFor(() => owner.thumbnails('Queued with a photo').length === 1 && owner.unsent().length === 0, 'delivered with its photo');
  });

  it('offers no photos where the backend lacks the feature', async () => {
    const host = await firstWaveUrl();
    // The demo seed's jane-doe: owner jane gets the composer, without the photo picker.
    const owner = media(await mount('care-journal-feed', { page: 'jane-doe', user: 'jane', host }));
    expect(owner.composer()).to.not.equal(null);
    expect(owner.picker()).to.equal(null);
  });
});
