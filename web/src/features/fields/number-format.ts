/** How the user's language writes numbers, for inputs that read them back canonically ("1234567.89"). */
import type { Locale } from '../../api.js';
import { intlTag } from '../../i18n/index.js';

export interface Separators {
  group: string;
  decimal: string;
}

/** The group and decimal separators of a language, as Intl writes numbers in it. */
export function separatorsOf(locale: Locale): Separators {
  const parts = new Intl.NumberFormat(intlTag(locale)).formatToParts(1234567.89);
  return {
    group: parts.find((p) => p.type === 'group')?.value ?? ',',
    decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
  };
}

/** Keys that make a decimal separator while typing: the language's own; in a language that groups with spaces, "." too. */
export function decimalKeys(s: Separators): string[] {
  return s.group.trim() === '' ? [s.decimal, '.', ','].filter((x, i, a) => a.indexOf(x) === i) : [s.decimal];
}

/**
 * The value to send from what a number input holds while typing ("1234." right after the decimal key, "-" alone):
 * "1234", "" for nothing.
 */
export const decimalOf = (typed: string) => {
  const v = typed.trim().replace(/\.$/, '');
  return v === '-' ? '' : v;
};
