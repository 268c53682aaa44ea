/**
 * Lone UTF-16 surrogates ("\uD800" with no partner) survive `JSON.parse` but not UTF-8: the
 * database drivers encode them as U+FFFD, so such text would be stored (and shown to everyone
 * else) differently from what the sender was told was saved. Text from clients is checked with
 * these before it is accepted.
 *
 * `String.prototype.isWellFormed` / `toWellFormed` are ES2024 (Node 20+, which package.json
 * requires) but not in the ES2022 lib the server compiles against, hence the cast.
 */
type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };

/** False when `s` holds a lone surrogate. Linear; paired surrogates (emoji) are fine. */
export const isWellFormed = (s: string): boolean => (s as Es2024String).isWellFormed();

/** `s` with each lone surrogate replaced by U+FFFD, as the database would store it. */
export const toWellFormed = (s: string): string => (s as Es2024String).toWellFormed();

/** The `invalid` message for a field with a lone surrogate. */
export const NOT_WELL_FORMED = 'must be well-formed Unicode (no lone surrogates)';
