import type { Feature } from '../../../src/protocol/index.js';

/**
 * The SPEC 6 features this server implements. `CARE_FEATURES` (config.ts) may switch them
 * off, down to none: a first-wave backend, for testing widgets against one.
 */
export const SERVER_FEATURES: readonly Feature[] = ['settings', 'invites', 'notify', 'journal-social', 'media', 'planner'];
