import { css } from 'lit';

/** Hearts and comments under journal entries (entry-social.ts); logical properties only, so right-to-left just works. */
export const entrySocialStyles = css`
  .social {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em 0.75em;
    margin-block-start: 0.5em;
  }
  .hearts {
    display: inline-flex;
    align-items: center;
    gap: 0.35em;
  }
  .heart-count,
  .comment-count,
  .social .muted {
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
  .comments {
    margin-block-start: 0.5em;
    padding-inline-start: 0.75em;
    border-inline-start: 3px solid var(--_border);
  }
  /* Focused from script (after a delete): the ring only for keyboard users. */
  .comments:not(:focus-visible) {
    outline: none;
  }
  .comment-count {
    margin: 0 0 0.25em;
  }
  .comment-list {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .comment-list > li + li {
    border-block-start: 1px solid var(--_border);
  }
  .comment {
    padding-block: 0.4em;
  }
  .comment.outbox {
    padding-inline: 0.5em;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
  }
  .comment.outbox.failed {
    border: 2px solid var(--_danger);
  }
  .comment.hidden .body {
    font-style: italic;
  }
  .comment-meta {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.25em 0.75em;
    font-size: 0.875em;
  }
  .comment-meta .author {
    font-weight: 600;
  }
  .comment-meta time {
    color: var(--_muted);
  }
  .badge {
    display: inline-block;
    padding-inline: 0.5em;
    border: 1px solid currentColor;
    border-radius: 999px;
    font-size: 0.85em;
  }
  .comment .body {
    overflow-wrap: anywhere;
  }
  .comment .body p {
    margin-block: 0.25em;
  }
  .comment-actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
    font-size: 0.9em;
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
  .show-comments {
    margin-block: 0.25em;
  }
  .comment-composer {
    display: grid;
    gap: 0.35em;
    margin-block-start: 0.5em;
  }
  .comment-composer textarea {
    min-block-size: 3.5em;
    resize: vertical;
  }
  .orphans {
    margin-block-end: var(--_space);
  }
`;
