import { useMemo, type ReactNode } from 'react';
import { I18nProvider, useI18n } from './i18n/index.js';
import { BoardPage } from './pages/board.js';
import { DealPage } from './pages/deal.js';
import { ClientPage, ClientsPage } from './pages/clients.js';
import { PipelinesAdminPage } from './pages/admin-pipelines.js';
import { UsersAdminPage } from './pages/admin-users.js';
import { LoginPage } from './pages/login.js';
import { Link, Redirect, match, useLocation } from './router.js';
import { useLabels } from './labels.js';
import { RefDataProvider, SessionProvider, useRefData, useSession } from './session.js';
import { Shell } from './shell.js';
import { Empty, ErrorLabelsProvider, Loading, ToastProvider, type ErrorLabels } from './ui.js';

export function App() {
  return (
    <SessionProvider>
      <Localized>
        <ToastProvider>
          <Root />
        </ToastProvider>
      </Localized>
    </SessionProvider>
  );
}

function Localized({ children }: { children: ReactNode }) {
  const { locale } = useSession();
  return <I18nProvider locale={locale}>{children}</I18nProvider>;
}

function Root() {
  const { user, ready } = useSession();
  const { path, query } = useLocation();
  if (!ready) return <div className="boot"><Loading /></div>;
  if (!user) {
    if (path !== '/login') return <Redirect to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} />;
    return <LoginPage />;
  }
  if (path === '/login') {
    const next = query.get('next');
    return <Redirect to={next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/deals'} />;
  }
  return (
    <RefDataProvider key={user.id}>
      <NamedErrors>
        <Shell><Routes path={path} isAdmin={user.role === 'admin'} /></Shell>
      </NamedErrors>
    </RefDataProvider>
  );
}

/** Lets error messages name fields, document kinds and stages as the rest of the app does. */
function NamedErrors({ children }: { children: ReactNode }) {
  const { fieldLabel, kindName } = useLabels();
  const { stageById } = useRefData();
  const labels = useMemo<ErrorLabels>(() => ({
    field: fieldLabel, kind: kindName, stage: (id) => stageById(id)?.stage.name ?? null,
  }), [fieldLabel, kindName, stageById]);
  return <ErrorLabelsProvider value={labels}>{children}</ErrorLabelsProvider>;
}

function Routes({ path, isAdmin }: { path: string; isAdmin: boolean }) {
  let m: Record<string, string> | null;
  if (path === '/') return <Redirect to="/deals" />;
  if (path === '/deals') return <BoardPage />;
  if ((m = match('/deals/:id', path))) return <DealPage key={m.id} id={m.id} />;
  if (path === '/clients') return <ClientsPage />;
  if ((m = match('/clients/:id', path))) return <ClientPage key={m.id} id={m.id} />;
  if (isAdmin && path === '/admin/pipelines') return <PipelinesAdminPage />;
  if (isAdmin && path === '/admin/users') return <UsersAdminPage />;
  return <NotFound />;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="page">
      <Empty icon="alert"><strong>{t('notFound.title')}</strong></Empty>
      <p className="center"><Link to="/deals" className="link">{t('notFound.back')}</Link></p>
    </div>
  );
}
