import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Strings } from '../../i18n/index.js';
import { LIMITS, type JournalEntry, type MediaRef } from '../../protocol/index.js';

/**
 * An update's photos in its editor (feature `media`): each with its alt text to correct and a
 * Remove button. Saving sends `journal:edit {media}` (the list after the edit) only when a photo
 * was removed or an alt text changed; otherwise the photos stay as they are (`media` omitted).
 * Adding photos to an existing update is not offered: post a new update instead.
 */
export class MediaEdit {
  #entryId: string | null = null;
  readonly #removed = new Set<string>();

  constructor(private readonly host: ReactiveControllerHost) {}

  /** The entry whose editor is open (`null`: none); a new one starts with every photo kept. */
  editing(entryId: string | null): void {
    if (entryId === this.#entryId) return;
    this.#entryId = entryId;
    this.#removed.clear();
  }

  render(e: JournalEntry, t: Strings, abs: (url: string) => string): TemplateResult | typeof nothing {
    const kept = (e.media ?? []).filter((m) => !this.#removed.has(m.id));
    if (!e.media?.length) return nothing;
    return html`<fieldset class="photos-field" part="photo-picker">
      <legend>${t.photos}</legend>
      ${kept.length
        ? html`<ol class="drafts" part="photo-drafts">
            ${repeat(
              kept,
              (m) => m.id,
              (m, i) => html`<li class="draft" part="photo-draft">
                <img class="preview" src=${abs(m.thumbUrl)} width=${m.thumbWidth} height=${m.thumbHeight} alt="" />
                <div class="draft-fields">
                  <label for=${`edit-alt-${m.id}`}>${t.photoAlt(String(i + 1))}</label>
                  <input id=${`edit-alt-${m.id}`} name=${`alt:${m.id}`} class="alt" required maxlength=${LIMITS.altMax} autocomplete="off" dir="auto" .value=${m.alt} />
                  <div class="row">
                    <button type="button" part="button remove-photo" aria-label=${t.removePhoto(String(i + 1))} @click=${() => this.#remove(m.id)}>${t.remove}</button>
                  </div>
                </div>
              </li>`,
            )}
          </ol>`
        : nothing}
    </fieldset>`;
  }

  #remove(id: string): void {
    this.#removed.add(id);
    this.host.requestUpdate();
  }

  /** The edit's `media` from the form, or `undefined` when the photos did not change. */
  refs(e: JournalEntry, data: FormData): MediaRef[] | undefined {
    const before = e.media ?? [];
    const kept = before.filter((m) => !this.#removed.has(m.id)).map((m) => ({ id: m.id, alt: String(data.get(`alt:${m.id}`) ?? m.alt).trim() }));
    const changed = kept.length !== before.length || kept.some((k) => k.alt !== before.find((m) => m.id === k.id)?.alt);
    return changed ? kept : undefined;
  }
}
