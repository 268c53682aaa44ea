import { createContext } from '@lit/context';
import type { CareSettings } from './settings.js';

/** What a `<care-page>` gives its descendants: page id, host and token URL. */
export interface InheritedSettings extends CareSettings {
  page?: string | undefined;
}

export const careSettingsContext = createContext<InheritedSettings | undefined>(Symbol.for('care-widgets/settings'));
