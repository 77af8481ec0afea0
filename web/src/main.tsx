import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@mantine/core/styles.css';
import '@mantine/dates/styles.css';
import '@mantine/notifications/styles.css';
import { App } from './app.js';
import { prefetchAtBoot } from './session.js';
import './styles.css';

// the session, the pipelines and the last board are asked for at once, in parallel: one round trip after the shell
prefetchAtBoot();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
