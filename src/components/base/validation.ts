import type { Strings } from '../../i18n/index.js';

/**
 * Checks a form's fields in the widget's own words, not the browser's (a French widget on an
 * English browser says it in French), then shows the first problem the native way. The form
 * has `novalidate`: its fields' `required` and `maxlength` still describe them to assistive
 * technology, but only this speaks. Returns whether every field is fine.
 */
export function reportValidity(form: HTMLFormElement, t: Strings): boolean {
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input,textarea')) {
    el.setCustomValidity(el.required && !el.value.trim() ? t.fieldRequired : el.maxLength > 0 && el.value.length > el.maxLength ? t.fieldTooLong(el.maxLength) : '');
  }
  return form.reportValidity();
}

/** A form's `@input`: typing clears that field's message until the next submit. */
export function clearValidity(e: Event): void {
  (e.target as HTMLInputElement).setCustomValidity('');
}
