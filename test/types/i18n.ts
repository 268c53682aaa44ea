/*
 * Type tests (checked by `tsc -p tsconfig.json`, never run): a locale table that lacks a key,
 * drops a template's placeholder or a plural's `other` form does not compile.
 */
import type { Messages } from '../../src/i18n/index.js';
import fr from '../../src/i18n/locales/fr.js';

const { fieldRequired: _, ...withoutOneKey } = fr;
void _;

// @ts-expect-error a table without `fieldRequired` is not complete
void (withoutOneKey satisfies Messages);

// @ts-expect-error a template needs its `{}`
void ({ ...fr, byAuthor: 'par' } satisfies Messages);

// @ts-expect-error a plural needs its `other` form
void ({ ...fr, followers: { one: '{n} abonné' } } satisfies Messages);

// A complete table compiles.
void ({ ...fr } satisfies Messages);
