import { css } from 'lit';

export const journalFeedStyles = css`
  .root {
    padding: var(--_space);
    border: 1px solid var(--_border);
  }
  /* The skeleton while loading: about the heading and two updates of the first content. */
  .loading::after {
    height: 24em;
  }
  h2 {
    margin: 0 0 0.75em;
    font-size: 1.25em;
  }
  form {
    display: grid;
    gap: 0.5em;
    margin-block-end: var(--_space);
  }
  label {
    font-weight: 600;
  }
  textarea {
    min-height: 6em;
    resize: vertical;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    align-items: center;
  }
  .row.end {
    justify-content: flex-end;
  }
  article {
    padding-block: 0.75em;
    border-block-start: 1px solid var(--_border);
  }
  article:first-of-type {
    border-block-start: 0;
  }
  /* Not faded: a translucent entry fails text contrast (axe, light theme). */
  article.pending {
    padding-inline: 0.75em;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
  }
  article h3 {
    margin: 0;
    font-size: 1.1em;
  }
  .meta {
    font-size: 0.875em;
    margin-block: 0.15em 0.5em;
  }
  .actions {
    margin-block-start: 0.5em;
  }
  .more {
    margin-block-start: var(--_space);
    text-align: center;
  }
`;
