import { css } from 'lit';

/**
 * Layout of `<care-follow-button>`. Only logical properties (inline/block), so the widget
 * mirrors itself for right-to-left languages without extra rules.
 */
export const followButtonStyles = css`
  :host {
    display: inline-block;
    max-inline-size: 100%;
  }
  .root {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_space) / 2);
    padding: calc(var(--_space) / 2);
  }
  /* As tall as the loading notice, with or without a button: no shift when it arrives. */
  .bar {
    min-block-size: 2.25em;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: calc(var(--_space) / 2);
  }
  .follow {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    font-weight: 600;
    min-inline-size: 2.75em;
  }
  .follow[aria-pressed='true'] {
    background: transparent;
    border-color: var(--_primary);
    color: var(--_text);
  }
  .follow[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.75;
  }
  .follow.waiting[aria-disabled='true'] {
    cursor: not-allowed;
  }
  .check {
    font-weight: 700;
    line-height: 1;
  }
  .state {
    font-weight: 600;
  }
  .count {
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .sign-in {
    display: inline-flex;
    align-items: center;
    min-block-size: 2.75rem;
    color: var(--_primary);
    font-weight: 600;
    text-decoration: underline;
    text-underline-offset: 0.15em;
  }
  .sign-in:hover {
    text-decoration-thickness: 2px;
  }
  .info {
    margin: 0;
  }
  .notice {
    padding-block: 0.4em;
    padding-inline: 0.75em;
    font-size: 0.95em;
  }
  .requests {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding-block: 0.5em;
    padding-inline: 0.75em;
  }
  .requests-title {
    margin: 0 0 0.4em;
    font-size: 0.95em;
    font-weight: 600;
  }
  .requests ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 0.4em;
  }
  /* The name takes what Approve and Decline leave: they never wrap under each other. */
  .request {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto auto;
    align-items: center;
    gap: 0.5em;
  }
  .request .who {
    overflow-wrap: anywhere;
  }
  .request .who time {
    display: block;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .request button {
    min-block-size: 2.75em;
    padding-block: 0.25em;
    padding-inline: 0.75em;
  }
  .notify-toggle {
    min-inline-size: 2.75em;
  }
  .notify-toggle[aria-expanded='true'] {
    border-color: var(--_primary);
  }
  .notify {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding-block: 0.5em;
    padding-inline: 0.75em;
    display: flex;
    flex-direction: column;
    gap: 0.4em;
  }
  .notify:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .notify-title,
  .notify-subtitle {
    margin: 0;
    font-size: 0.95em;
    font-weight: 600;
  }
  .choices {
    display: flex;
    flex-direction: column;
  }
  /* The whole row is the target (44 px tall), not only the small box. */
  .choice {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr);
    align-items: center;
    column-gap: 0.6em;
    min-block-size: 2.75em;
    cursor: pointer;
  }
  .choice input {
    inline-size: 1.25em;
    block-size: 1.25em;
    margin: 0;
    accent-color: var(--_primary);
  }
  .hint {
    margin: 0;
    color: var(--_muted);
    font-size: 0.9em;
  }
  .notify-end {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: flex-end;
    gap: 0.5em;
  }
  .notify-status {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .error-text {
    margin: 0;
    font-size: 0.95em;
  }
`;
