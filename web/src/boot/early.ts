/**
 * The early boot script: a classic script in the page's head (built on its own by web/vite.config.ts `earlyBoot`), so
 * it runs while the page is parsed, before the app's code has loaded. It asks for the boot's reads (boot-reads.ts) at
 * once; the app takes the answers (early-answers.ts) instead of asking again. It also has the browser load the
 * messages in the user's language beside the app's code (their chunk's address is written in at build).
 */
import { bootReads } from './boot-reads.js';
import { EARLY_GLOBAL, type EarlyAnswers } from './early-answers.js';
import { storedLocale } from '../i18n/stored-locale.js';

/** The catalogs' chunks by language, e.g. { en: '/assets/en-….js' }: replaced by the build. */
declare const __DEALFLOW_CATALOG_FILES__: Record<string, string>;

const answers: EarlyAnswers = {};
for (const path of bootReads())
  answers[path] = fetch(`/api/v1${path}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
    .then(async (r) => ({
      ok: r.ok,
      status: r.status,
      statusText: r.statusText,
      headers: r.headers,
      text: await r.text(),
    }))
    .catch(() => null);
(window as unknown as Record<string, EarlyAnswers>)[EARLY_GLOBAL] = answers;

const catalog = __DEALFLOW_CATALOG_FILES__[storedLocale()];
if (catalog) {
  const link = document.createElement('link');
  link.rel = 'modulepreload';
  link.crossOrigin = '';
  link.href = catalog;
  document.head.appendChild(link);
}
