import { css } from 'lit';

/** Layout of `<care-message-wall>`; logical properties only, so right-to-left just works. */
export const messageWallStyles = css`
  .root {
    padding: var(--_space);
    border: 1px solid var(--_border);
  }
  /* The skeleton while loading: about the hint and three messages of the first content. */
  .loading::after {
    height: 20em;
  }
  h2 {
    margin: 0 0 0.75em;
    font-size: 1.25em;
  }
  /* Focused from script (after a delete, "load older"): the ring only for keyboard users. */
  h2:not(:focus-visible),
  .messages:not(:focus-visible) {
    outline: none;
  }
  .composer {
    display: grid;
    gap: 0.5em;
    margin-block-end: var(--_space);
  }
  label {
    font-weight: 600;
  }
  textarea {
    min-block-size: 5em;
    resize: vertical;
  }
  .write-hint {
    margin: 0 0 var(--_space);
  }
  .messages {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .messages > li + li {
    border-block-start: 1px solid var(--_border);
  }
  .message {
    padding-block: 0.75em;
  }
  .message.outbox {
    padding-inline: 0.75em;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    margin-block-end: 0.5em;
  }
  .message.outbox.failed {
    border: 2px solid var(--_danger);
  }
  .message.hidden .body {
    font-style: italic;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.25em 0.75em;
    font-size: 0.875em;
    margin-block-end: 0.35em;
  }
  .author {
    font-weight: 600;
  }
  .meta time {
    color: var(--_muted);
  }
  .badge {
    display: inline-block;
    padding-inline: 0.5em;
    border: 1px solid currentColor;
    border-radius: 999px;
    font-size: 0.85em;
  }
  .body {
    overflow-wrap: anywhere;
  }
  .body ul,
  .body ol {
    margin-block: 0 0.6em;
    padding-inline-start: 1.5em;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
    margin-block-start: 0.25em;
  }
  .hearts {
    display: inline-flex;
    align-items: center;
    gap: 0.35em;
    margin-inline-end: auto;
  }
  .heart-count {
    font-size: 0.875em;
    color: var(--_muted);
  }
  button.heart {
    font-size: 1.1em;
    line-height: 1;
  }
  button.heart.on {
    color: var(--_heart);
    border-color: var(--_heart);
  }
  button[aria-disabled='true'] {
    cursor: progress;
  }
  .confirm {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
  }
  button.danger {
    background: var(--_danger);
    border-color: var(--_danger);
    color: var(--_surface);
  }
  .older {
    display: block;
    margin-block-start: var(--_space);
    margin-inline: auto;
  }
  .empty {
    margin: 0;
  }
`;
