import { css } from 'lit';

/**
 * What every composer with a character counter shares (the wall's and the journal comments'):
 * the invalid text area, the row under it, and the counter that turns to the danger colour
 * past the limit.
 */
export const composerStyles = css`
  textarea[aria-invalid='true'] {
    border-color: var(--_danger);
    border-width: 2px;
  }
  .composer-foot {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    align-items: center;
    justify-content: space-between;
  }
  .counter {
    font-size: 0.875em;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .counter.over {
    color: var(--_danger);
    font-weight: 600;
  }
`;
