import { css } from 'lit';

/** The journal's photos: the composer's picker, an entry's thumbnails, the viewer. */
export const mediaStyles = css`
  form.dragging {
    outline: 3px dashed var(--_primary);
    outline-offset: 4px;
  }
  .photos-field {
    display: grid;
    gap: 0.5em;
    justify-items: start;
    margin: 0;
    padding: 0.5em 0.75em 0.75em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .photos-field legend {
    font-weight: 600;
    padding-inline: 0.25em;
  }
  .photos-field .hint,
  .refusals {
    margin: 0;
  }
  .refusals {
    padding-inline-start: 1.25em;
  }
  .drafts {
    display: grid;
    gap: 0.75em;
    width: 100%;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .draft {
    display: grid;
    grid-template-columns: 6em 1fr;
    gap: 0.75em;
    align-items: start;
  }
  .draft .preview {
    width: 6em;
    height: 6em;
    object-fit: cover;
    border-radius: calc(var(--_radius) / 1.5);
    background: var(--_border);
  }
  .draft-fields {
    display: grid;
    gap: 0.25em;
  }
  .draft progress {
    flex: 1;
    min-width: 6em;
    accent-color: var(--_primary);
  }
  /* Thumbnails: one photo spans the entry at its own proportions; several share a square grid. */
  .photos {
    display: grid;
    gap: 0.5em;
    margin: 0.5em 0 0;
    padding: 0;
    list-style: none;
  }
  .photos.one {
    max-width: 40em;
  }
  .photos.grid {
    grid-template-columns: repeat(auto-fill, minmax(min(9em, 100%), 1fr));
  }
  .photos .photo {
    display: block;
    width: 100%;
    padding: 0;
    border: 0;
    min-height: 0;
    overflow: hidden;
    background: var(--_border);
  }
  .photos img {
    display: block;
    width: 100%;
    height: auto;
  }
  .photos.grid img {
    aspect-ratio: 1;
    object-fit: cover;
  }
  /* The viewer: the dialog is in the top layer, but inherits the widget's fonts and colours. */
  .viewer {
    width: min(64em, 100vw - 2em);
    max-height: calc(100vh - 2em);
    padding: var(--_space);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
  }
  .viewer::backdrop {
    background: rgb(0 0 0 / 0.8);
  }
  .viewer-bar {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5em;
  }
  .viewer-heading {
    margin: 0;
    font-size: 1.1em;
  }
  .viewer-figure {
    margin: 0.75em 0;
    display: grid;
    gap: 0.5em;
    justify-items: center;
  }
  .viewer-figure img {
    display: block;
    max-width: 100%;
    max-height: calc(100vh - 14em);
    width: auto;
    height: auto;
  }
  .viewer-figure figcaption {
    max-width: 60ch;
  }
  .viewer-nav {
    justify-content: space-between;
  }
`;
