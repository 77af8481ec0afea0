/**
 * The messages only some pages use (by key prefix): left out of the catalog the app boots with, and loaded with those
 * pages (late.ts; the build splits them off, web/vite.config.ts). A key used by the shell or the board must not match.
 */
export const LATE_PREFIXES = [
  'plans.',
  'payments.',
  'modeler.',
  'regulations.',
  'tasks.',
  'documents.',
  'feed.',
  'audit.',
  'calendarAdmin.',
  'calendarFeeds.',
  'currency.',
  'users.',
  'departments.',
  'planSettings.',
  'import.',
];
/** Keys under a late prefix that the shell or the board uses all the same. */
const BOOT_KEYS = new Set(['import.link']);

export const isLateKey = (key: string) => !BOOT_KEYS.has(key) && LATE_PREFIXES.some((p) => key.startsWith(p));
