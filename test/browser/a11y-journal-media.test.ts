import { expect } from '@open-wc/testing';
import '../../src/components/journal-feed/define.js';
import { seedPage, settled, uniquePage, waitFor } from './helpers.js';
import { mount } from './harness.js';
import { MediaHarness, photo } from './media-harness.js';

describe('accessibility: journal photos (axe-core)', () => {
  for (const theme of ['light', 'dark']) {
    it(`has no violations with photos in an entry, photos in the composer, and the viewer open (${theme})`, async () => {
      const pageId = uniquePage(`a11y-media-${theme}`);
      await seedPage({ id: pageId, owners: ['olga'] });
      const owner = new MediaHarness(await mount('care-journal-feed', { page: pageId, user: 'olga', attrs: { theme } }));
      // An update with two photos, posted through the composer.
      owner.choose([await photo('a.jpg'), await photo('b.png', { type: 'image/png', w: 300, h: 500 })]);
      await settled(owner.el);
      owner.describe(0, 'The flowers on the windowsill');
      owner.describe(1, 'A card drawn by the grandchildren');
      await owner.uploaded();
      owner.post('Photos from today', 'Two photos.');
      await waitFor(() => owner.thumbnails('Photos from today').every((t) => MediaHarness.loaded(t.img)) && owner.thumbnails('Photos from today').length === 2, 'the thumbnails');

      // A photo waiting in the composer, one uploaded with its alt text, one refused.
      owner.choose([await photo('c.jpg'), new File(['nope'], 'd.jpg', { type: 'image/jpeg' })]);
      await settled(owner.el);
      owner.describe(0, 'A third photo');
      await owner.uploaded();
      await settled(owner.el);
      await expect(owner.el).to.be.accessible();

      owner.thumbnails('Photos from today')[1]!.button.click();
      await waitFor(() => owner.viewer()?.open === true && MediaHarness.loaded(owner.viewerImage()!), 'the viewer');
      await expect(owner.el).to.be.accessible();
      owner.viewer()!.close();
      await waitFor(() => owner.viewer() === null, 'closed');
      // The update's editor, with its photos' alt texts and Remove buttons.
      owner.buttonNamed('Edit')!.click();
      await settled(owner.el);
      await expect(owner.el).to.be.accessible();
    });
  }
});
