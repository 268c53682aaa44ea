import { css } from 'lit';

/**
 * The design tokens every widget shares. Public knobs are the `--care-*` custom properties;
 * the `--_*` ones are private resolved values. Dark values apply with `theme="dark"`, or with
 * `theme="auto"` (the default) when the visitor's system prefers dark.
 */
export const tokens = css`
  :host {
    --_primary: var(--care-color-primary, #0a6b57);
    --_on-primary: var(--care-color-on-primary, #ffffff);
    --_surface: var(--care-color-surface, #ffffff);
    --_text: var(--care-color-text, #1d2327);
    --_muted: var(--care-color-muted, #4f5b62);
    --_border: var(--care-color-border, #c9d1d6);
    --_danger: var(--care-color-danger, #b3261e);
    --_focus: var(--care-color-focus, #1a5fb4);
    --_heart: var(--care-color-heart, #c2185b);
    --_radius: var(--care-radius, 8px);
    --_font: var(--care-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_space: var(--care-space, 1rem);
    display: block;
    box-sizing: border-box;
    color: var(--_text);
    font-family: var(--_font);
    font-size: var(--care-font-size, 1rem);
    line-height: 1.5;
  }
  :host([hidden]) {
    display: none;
  }
  :host([theme='dark']) {
    --_primary: var(--care-color-primary, #5fd4b6);
    --_on-primary: var(--care-color-on-primary, #06231c);
    --_surface: var(--care-color-surface, #1b2124);
    --_text: var(--care-color-text, #eef2f3);
    --_muted: var(--care-color-muted, #b7c2c7);
    --_border: var(--care-color-border, #4a565c);
    --_danger: var(--care-color-danger, #ffb4ab);
    --_focus: var(--care-color-focus, #9ecaff);
    --_heart: var(--care-color-heart, #ff8fb8);
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      --_primary: var(--care-color-primary, #5fd4b6);
      --_on-primary: var(--care-color-on-primary, #06231c);
      --_surface: var(--care-color-surface, #1b2124);
      --_text: var(--care-color-text, #eef2f3);
      --_muted: var(--care-color-muted, #b7c2c7);
      --_border: var(--care-color-border, #4a565c);
      --_danger: var(--care-color-danger, #ffb4ab);
      --_focus: var(--care-color-focus, #9ecaff);
      --_heart: var(--care-color-heart, #ff8fb8);
    }
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .root {
    background: var(--_surface);
    color: var(--_text);
    border-radius: var(--_radius);
  }
  button,
  input,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--_border);
    background: transparent;
    border-radius: calc(var(--_radius) / 1.5);
    padding: 0.4em 0.9em;
    /* 44 px tap targets (WCAG 2.5.5) at the default font size. */
    min-height: 2.75rem;
    min-width: 2.75rem;
  }
  button.primary {
    background: var(--_primary);
    border-color: var(--_primary);
    color: var(--_on-primary);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  input,
  textarea {
    width: 100%;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 1.5);
    background: var(--_surface);
    padding: 0.5em 0.7em;
  }
  .muted {
    color: var(--_muted);
  }
  .notice {
    padding: 0.75em 1em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .notice.error {
    border-color: var(--_danger);
  }
  .error-text {
    color: var(--_danger);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .body p {
    margin: 0 0 0.6em;
  }
  .body a {
    color: var(--_primary);
  }
`;
