import { css } from 'lit';

/**
 * The design tokens every widget shares. Public knobs are the `--care-*` custom properties;
 * the `--_*` ones are private resolved values. Dark values apply with `theme="dark"`, or with
 * `theme="auto"` (the default) where the host page itself is dark (SPEC 7): `light-dark()`
 * resolves against the `color-scheme` the element inherits from the page (`normal` or
 * `light`: light; `dark`: dark; `light dark`, in CSS or a `<meta name="color-scheme">`: the
 * visitor's preference), live, whatever way the page switches, with no script; `theme`
 * `dark` and `light` set the element's own `color-scheme`. A browser without `light-dark()`
 * (before 2024) shows light widgets.
 *
 * `.root` (every widget's inner box) sets each inherited text property the host page could
 * pass through the shadow boundary. There, not on :host, where a page's `* { letter-spacing:
 * 5px }` would win. The default size is in px (and spacing in em): a page's
 * `html { font-size: 10px }` must not shrink the widgets.
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
    --_space: var(--care-space, 1em);
    display: block;
    box-sizing: border-box;
  }
  :host([hidden]) {
    display: none;
  }
  @supports (color: light-dark(red, red)) {
    :host {
      --_primary: var(--care-color-primary, light-dark(#0a6b57, #5fd4b6));
      --_on-primary: var(--care-color-on-primary, light-dark(#ffffff, #06231c));
      --_surface: var(--care-color-surface, light-dark(#ffffff, #1b2124));
      --_text: var(--care-color-text, light-dark(#1d2327, #eef2f3));
      --_muted: var(--care-color-muted, light-dark(#4f5b62, #b7c2c7));
      --_border: var(--care-color-border, light-dark(#c9d1d6, #4a565c));
      --_danger: var(--care-color-danger, light-dark(#b3261e, #ffb4ab));
      --_focus: var(--care-color-focus, light-dark(#1a5fb4, #9ecaff));
      --_heart: var(--care-color-heart, light-dark(#c2185b, #ff8fb8));
    }
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .root {
    font: var(--care-font-size, 16px) / 1.5 var(--care-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    text-align: start;
    text-indent: 0;
    text-transform: none;
    text-shadow: none;
    letter-spacing: normal;
    word-spacing: normal;
    white-space: normal;
    background: var(--_surface);
    color: var(--_text);
    border-radius: var(--_radius);
  }
  button,
  input,
  select,
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
    /* 44 px tap targets (WCAG 2.5.5) at the default 16px font size; em, so a host's root font size does not shrink them. */
    min-height: 2.75em;
    min-width: 2.75em;
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
  select,
  textarea {
    width: 100%;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 1.5);
    background: var(--_surface);
    padding: 0.5em 0.7em;
  }
  /* A 44 px tap target, as buttons (a select's own height is its font's). */
  select {
    min-block-size: 2.75em;
  }
  .muted {
    color: var(--_muted);
  }
  .notice {
    padding: 0.75em 1em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .loading::after {
    content: '';
    display: block;
    background: repeating-linear-gradient(transparent 0 0.75em, var(--_border) 0 1.75em);
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
