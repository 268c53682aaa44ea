import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { MEDIA_TYPES } from '../../client/media-upload.js';
import type { Strings } from '../../i18n/index.js';
import { LIMITS } from '../../protocol/index.js';
import type { DraftPhoto, MediaDraft } from './media-draft.js';

const ACCEPT = MEDIA_TYPES.join(',');

/** The files of a drag, if it carries any (text or a link dragged over the form is not ours). */
const draggedFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') === true;

/**
 * Drag-and-drop onto the composer: a drag carrying files highlights the form (`dragging`),
 * dropping adds them. Spread on the form as `@dragover`, `@dragleave`, `@drop`.
 */
export function dropHandlers(draft: MediaDraft, enabled: () => boolean): { over: (e: DragEvent) => void; leave: (e: DragEvent) => void; drop: (e: DragEvent) => void } {
  const mark = (e: DragEvent, on: boolean) => (e.currentTarget as HTMLElement).classList.toggle('dragging', on);
  return {
    over: (e) => {
      if (!enabled() || !draggedFiles(e)) return;
      e.preventDefault();
      e.dataTransfer!.dropEffect = draft.full ? 'none' : 'copy';
      mark(e, true);
    },
    leave: (e) => {
      // Leaving for a child of the form is not leaving the form.
      if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) mark(e, false);
    },
    drop: (e) => {
      if (!enabled() || !draggedFiles(e)) return;
      e.preventDefault();
      mark(e, false);
      draft.add(e.dataTransfer!.files);
    },
  };
}

/**
 * The composer's photo picker (feature `media`): "Add photos" opens the file chooser (the
 * input itself stays hidden: a button is what keyboards and screen readers know), each photo
 * shows its preview, its required alt text, its upload progress or why it failed, and a
 * Remove button. The alt inputs are ordinary required fields of the form, so the form's own
 * validation (validation.ts) asks for a missing one in the widget's language.
 */
export function renderPhotoPicker(draft: MediaDraft, t: Strings): TemplateResult {
  const pick = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    if (input.files) draft.add(input.files);
    // The same file may be picked again after removing it.
    input.value = '';
  };
  const open = (e: Event) => (e.currentTarget as HTMLElement).parentElement!.querySelector<HTMLInputElement>('input[type=file]')!.click();
  return html`<fieldset class="photos-field" part="photo-picker">
    <legend>${t.photos}</legend>
    <p class="muted hint" id="photos-hint">${t.photosHint(LIMITS.mediaPerEntry)}</p>
    <input type="file" accept=${ACCEPT} multiple hidden tabindex="-1" @change=${pick} />
    <button type="button" part="button add-photos" aria-describedby="photos-hint" ?disabled=${draft.full} @click=${open}>${t.addPhotos}</button>
    ${draft.refusals.length
      ? html`<ul class="error-text refusals" role="alert">
          ${draft.refusals.map((r) => html`<li>${r.kind === 'too-many' ? t.tooManyPhotos(LIMITS.mediaPerEntry) : t.notAPhoto(r.name)}</li>`)}
        </ul>`
      : nothing}
    ${draft.photos.length
      ? html`<ol class="drafts" part="photo-drafts">
          ${repeat(draft.photos, (p) => p.key, (p, i) => renderDraft(draft, p, i + 1, t))}
        </ol>`
      : nothing}
  </fieldset>`;
}

function renderDraft(draft: MediaDraft, p: DraftPhoto, n: number, t: Strings): TemplateResult {
  const id = `alt-${p.key}`;
  const number = String(n);
  return html`<li class="draft" part="photo-draft" data-key=${p.key}>
    <canvas class="preview" data-key=${p.key} aria-hidden="true"></canvas>
    <div class="draft-fields">
      <label for=${id}>${t.photoAlt(number)}</label>
      <input id=${id} name=${id} class="alt" required maxlength=${LIMITS.altMax} autocomplete="off" dir="auto" .value=${p.alt} @input=${(e: Event) => draft.setAlt(p.key, (e.target as HTMLInputElement).value)} />
      <div class="row">
        ${p.state === 'uploading'
          ? html`<progress part="upload-progress" max="100" value=${Math.round(p.progress * 100)} aria-label=${t.photoUploading(number)}></progress>`
          : p.state === 'ready'
            ? html`<span class="muted" part="upload-status">${t.photoUploaded}</span>`
            : html`<span class="error-text" part="upload-status" role="alert">${t.photoNotUploaded(p.error?.message ?? '')}</span>
                <button type="button" part="button" @click=${() => draft.retry(p.key)}>${t.tryAgain}</button>`}
        <button type="button" part="button remove-photo" aria-label=${t.removePhoto(number)} @click=${() => draft.remove(p.key)}>${t.remove}</button>
      </div>
    </div>
  </li>`;
}
