import { canDefine } from '../base/server-safe.js';
import { CareHelpPlanner } from './help-planner.js';

export * from './help-planner.js';

if (canDefine('care-help-planner')) customElements.define('care-help-planner', CareHelpPlanner);

declare global {
  interface HTMLElementTagNameMap {
    'care-help-planner': CareHelpPlanner;
  }
}
