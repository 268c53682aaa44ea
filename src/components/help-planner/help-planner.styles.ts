import { css } from 'lit';

/**
 * Layout of `<care-help-planner>`: a toolbar, days of task cards, a month grid that stays
 * seven columns on a phone (its cells shrink to the day and counts), and the family's form.
 * Only logical properties, so the planner mirrors itself right to left.
 */
export const helpPlannerStyles = css`
  .root {
    padding: var(--_space);
    border: 1px solid var(--_border);
    display: flex;
    flex-direction: column;
    gap: calc(var(--_space) * 0.75);
  }
  /* The skeleton while loading: about a toolbar and two days of tasks. */
  .loading::after {
    height: 14em;
  }
  h2 {
    margin: 0;
    font-size: 1.25em;
  }
  h3 {
    margin: 0;
    font-size: 1.05em;
  }
  h4 {
    margin: 0;
    font-size: 1em;
  }
  p {
    margin: 0;
  }
  .toolbar,
  .views,
  .actions,
  .row,
  .day-head,
  .month-head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
  }
  .toolbar {
    justify-content: space-between;
  }
  .views {
    gap: 0;
  }
  .views button:first-child {
    border-start-end-radius: 0;
    border-end-end-radius: 0;
  }
  .views button:last-child {
    border-start-start-radius: 0;
    border-end-start-radius: 0;
    margin-inline-start: -1px;
  }
  button[aria-pressed='true'].view {
    background: var(--_primary);
    border-color: var(--_primary);
    color: var(--_on-primary);
  }
  button[aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.6;
  }
  button.danger {
    border-color: var(--_danger);
    color: var(--_danger);
  }
  .summary {
    font-weight: 600;
  }
  .notice {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5em;
  }
  .day {
    display: flex;
    flex-direction: column;
    gap: 0.4em;
  }
  .day-head {
    justify-content: space-between;
  }
  .tasks {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 0.5em;
  }
  /* The kind's pictogram: the text's size and colour, on the text's baseline. */
  .icon {
    inline-size: 1.1em;
    block-size: 1.1em;
    vertical-align: -0.17em;
  }
  .task {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.6em 0.8em;
    display: flex;
    flex-direction: column;
    gap: 0.3em;
    overflow-wrap: anywhere;
  }
  .task.mine {
    border-inline-start: 4px solid var(--_primary);
  }
  .task.editing {
    padding: 0;
    border: 0;
  }
  .task-meta,
  .pending,
  .details-hint {
    font-size: 0.9em;
  }
  .details {
    border-inline-start: 3px solid var(--_border);
    padding-inline-start: 0.6em;
  }
  .details-label {
    font-weight: 600;
    font-size: 0.9em;
  }
  .details p {
    white-space: pre-wrap;
  }
  .earlier summary {
    cursor: pointer;
    padding-block: 0.6em;
    min-block-size: 2.75em;
  }
  .earlier .day {
    color: var(--_muted);
    margin-block-end: 0.75em;
  }
  .more {
    display: flex;
    justify-content: center;
  }
  /* The family's form. */
  .composer {
    display: flex;
    flex-direction: column;
    gap: 0.5em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.75em;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.2em;
  }
  /* Side by side in a row (date, times, people; repeat and until), each at least 8em wide.
     Not in the form's own column, where an 8em basis would be an 8em-tall gap. */
  .row > .field {
    flex: 1 1 8em;
  }
  label {
    font-weight: 600;
  }
  input,
  select,
  textarea {
    min-block-size: 2.75em;
  }
  .hint {
    font-size: 0.9em;
  }
  .confirm {
    display: flex;
    flex-direction: column;
    gap: 0.4em;
  }
  /* The month grid: seven equal columns, whatever the screen. */
  .month-head {
    justify-content: space-between;
  }
  .month-nav {
    font-size: 1.25em;
    line-height: 1;
  }
  .grid {
    inline-size: 100%;
    table-layout: fixed;
    border-collapse: collapse;
  }
  .grid th {
    font-size: 0.8em;
    font-weight: 600;
    color: var(--_muted);
    padding-block: 0.3em;
  }
  .grid td {
    padding: 1px;
    vertical-align: top;
  }
  .cell {
    inline-size: 100%;
    min-block-size: 4.5em;
    padding: 0.25em;
    display: flex;
    flex-direction: column;
    align-items: stretch;
    gap: 0.1em;
    text-align: start;
    border-radius: calc(var(--_radius) / 2);
    overflow: hidden;
  }
  .cell .num {
    font-weight: 600;
  }
  .cell.today {
    border: 2px solid var(--_primary);
  }
  .cell.busy {
    background: color-mix(in srgb, var(--_primary) 8%, var(--_surface));
  }
  .cell[aria-pressed='true'] {
    outline: 2px solid var(--_text);
    outline-offset: -2px;
  }
  .past .cell {
    color: var(--_muted);
  }
  .cell-task,
  .cell-more {
    display: flex;
    gap: 0.25em;
    font-size: 0.75em;
    line-height: 1.3;
    min-inline-size: 0;
  }
  .cell-title {
    flex: 1 1 auto;
    min-inline-size: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .cell-count {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .cell-task.full .cell-count {
    color: var(--_muted);
  }
  @media (max-width: 30em) {
    .cell-title {
      display: none;
    }
  }
`;
