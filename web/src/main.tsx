import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './mantine-styles.js';
import { App, preloadPage } from './app.js';
import { loadCatalog, storedLocale } from './i18n/index.js';
import { prefetchAtBoot } from './session.js';
import './styles.css';

// the session, the pipelines, the last board, the page's chunk and the messages in the user's language are asked for
// at once, in parallel: one round trip after the shell
prefetchAtBoot();
preloadPage(location.pathname);
void loadCatalog(storedLocale()).catch(() => {
  /* tried again when the app is drawn */
});
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
