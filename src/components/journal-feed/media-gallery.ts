import { html, type TemplateResult } from 'lit';
import type { Strings } from '../../i18n/index.js';
import type { JournalEntry, MediaItem } from '../../protocol/index.js';

/**
 * How wide a thumbnail shows, for `sizes`: one photo spans the entry (up to the widget's usual
 * width), several share a grid. The browser then takes the thumbnail (≤ 400 px) or the
 * display size (≤ 1600 px) for the screen's density, whichever is enough.
 */
const SIZES_ONE = '(min-width: 48em) 40em, 100vw';
const SIZES_GRID = '(min-width: 48em) 13em, 45vw';

/** Both sizes the server made, by width: the thumbnail and the display image. */
const srcset = (m: MediaItem, abs: (url: string) => string) => `${abs(m.thumbUrl)} ${m.thumbWidth}w, ${abs(m.url)} ${m.width}w`;

/**
 * An entry's photos as thumbnails: responsive (`srcset`/`sizes`), with their pixel size as
 * `width`/`height` so the space is reserved before they load (no layout shift), lazy below
 * the fold. `abs` makes the server's URLs absolute (PageController.mediaUrl). Each is a button that opens the viewer at that photo. A photo that fails to load
 * calls `failed`: its signed URL expired (or the viewer lost access), and the feed asks for
 * fresh URLs (PageStore.refreshMedia).
 */
export function renderGallery(
  entry: JournalEntry,
  media: readonly MediaItem[],
  t: Strings,
  abs: (url: string) => string,
  open: (index: number, trigger: HTMLElement) => void,
  failed: () => void,
): TemplateResult {
  const one = media.length === 1;
  return html`<ul class="photos ${one ? 'one' : 'grid'}" part="photos" aria-label=${t.photosOf(entry.title)}>
    ${media.map(
      (m, i) => html`<li>
        <button type="button" class="photo" part="photo-button" aria-haspopup="dialog" aria-label=${t.viewPhoto(m.alt)} @click=${(e: Event) => open(i, e.currentTarget as HTMLElement)}>
          <img part="photo" src=${abs(m.thumbUrl)} srcset=${srcset(m, abs)} sizes=${one ? SIZES_ONE : SIZES_GRID} width=${m.thumbWidth} height=${m.thumbHeight} alt=${m.alt} loading="lazy" decoding="async" @error=${failed} />
        </button>
      </li>`,
    )}
  </ul>`;
}
