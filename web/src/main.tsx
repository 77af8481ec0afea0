import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './mantine-styles.js';
import { App, preloadPage } from './app.js';
import { dropEarlyAnswers } from './boot/early-answers.js';
import { loadCatalog, storedLocale } from './i18n/index.js';
import { prefetchAtBoot } from './session.js';
import './styles.css';

/**
 * How long the first render waits at most for the boot's reads: a server slower than that gets the spinner meanwhile.
 */
const BOOT_WAIT_MS = 1500;

// the session, the pipelines, the last board (asked for by the early boot script already), the page's chunk and the
// messages in the user's language, all at once
const boot = prefetchAtBoot();
preloadPage(location.pathname);
const catalog = loadCatalog(storedLocale()).catch(() => {
  /* tried again when the app is drawn */
});
// The first render waits for the messages (nothing can be drawn without them) and for the boot's reads, usually there
// by now: the page is drawn at once with its data, rather than a spinner first and the page in a second pass.
void Promise.race([Promise.all([boot, catalog]), new Promise((r) => setTimeout(r, BOOT_WAIT_MS))]).then(() => {
  dropEarlyAnswers();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
