/**
 * The messages of the pages that load late (late-prefixes.ts), per language: a module the build makes of them
 * (web/vite.config.ts). `withLateMessages` wraps such a page's chunk, so the page is drawn with its messages there.
 */
import type { Locale } from '../api.js';

const LATE: Record<Locale, () => Promise<{ messages: Record<string, string> }>> = {
  en: () => import('virtual:dealflow-messages/late-en'),
  ru: () => import('virtual:dealflow-messages/late-ru'),
};

export const loadLateMessages = (locale: Locale) => LATE[locale]().then((m) => m.messages);
