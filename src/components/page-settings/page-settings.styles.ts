import { css } from 'lit';

/**
 * Layout of `<care-page-settings>`: one calm column of groups. Only logical properties, so the
 * panel mirrors itself for right-to-left languages without extra rules.
 */
export const pageSettingsStyles = css`
  .root {
    padding: var(--_space);
    border: 1px solid var(--_border);
    display: flex;
    flex-direction: column;
    gap: var(--_space);
  }
  /* The skeleton while loading: about the visibility group and a list. */
  .loading::after {
    height: 16em;
  }
  h2 {
    margin: 0;
    font-size: 1.25em;
  }
  h3,
  legend {
    margin: 0 0 0.4em;
    padding: 0;
    font-size: 1.05em;
    font-weight: 600;
  }
  .group {
    margin: 0;
    padding: 0;
    border: 0;
    border-block-start: 1px solid var(--_border);
    padding-block-start: calc(var(--_space) * 0.75);
  }
  .hint {
    margin: 0 0 0.5em;
    color: var(--_muted);
    font-size: 0.95em;
  }
  .choice {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr);
    column-gap: 0.6em;
    align-items: start;
    margin-block-end: 0.5em;
  }
  .choice .hint {
    grid-column: 2;
    margin: 0;
  }
  .choice label {
    font-weight: 600;
  }
  input[type='radio'],
  input[type='checkbox'] {
    inline-size: 1.25em;
    block-size: 1.25em;
    margin-block: 0.15em 0;
    margin-inline: 0;
    accent-color: var(--_primary);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
  }
  .confirm {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
  }
  .question {
    flex-basis: 100%;
    margin: 0;
  }
  button.danger {
    border-color: var(--_danger);
    color: var(--_danger);
  }
  .people {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 0.4em;
  }
  /* The name takes what the buttons leave; the buttons wrap below it on a narrow screen. */
  .person {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
  }
  .who {
    flex: 1 1 12em;
    overflow-wrap: anywhere;
  }
  .detail {
    display: block;
    font-size: 0.85em;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4em;
  }
  .empty {
    margin: 0;
  }
  form {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 0.4em;
    margin-block-end: 0.75em;
  }
  label {
    font-weight: 600;
  }
  form button {
    justify-self: start;
  }
  .invite {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4em;
    padding-block: 0.4em;
    border-block-end: 1px solid var(--_border);
  }
  .invite .meta {
    flex-basis: 100%;
  }
  .invite input {
    flex: 1 1 16em;
    inline-size: auto;
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.85em;
  }
  .summary {
    margin: 0;
    display: grid;
    gap: 0.25em;
  }
  .summary dt {
    font-weight: 600;
  }
  .summary dd {
    margin: 0 0 0.5em;
  }
`;
