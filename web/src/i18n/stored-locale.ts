/** The language this device used last (else the browser's): what the app boots in. No imports: the early boot script reads it too. */
import type { Locale } from '../api.js';

export const LOCALE_KEY = 'dealflow.locale';

export function storedLocale(): Locale {
  try {
    const v = localStorage.getItem(LOCALE_KEY);
    if (v === 'en' || v === 'ru') return v;
  } catch {
    /* private mode */
  }
  return navigator.language?.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}
