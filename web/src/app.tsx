import { MantineProvider, createTheme } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import { Outlet, RouterProvider, createBrowserRouter, useParams } from 'react-router';
import 'dayjs/locale/ru';
import { I18nProvider, useI18n } from './i18n/index.js';
import { useLiveUpdates } from './live.js';
import { LoginPage } from './pages/login.js';
import { queryClient } from './query.js';
import { Link, Redirect, setRouter, useLocation } from './router.js';
import { useLabels } from './labels.js';
import { RefDataProvider, SessionProvider, useRefData, useSession } from './session.js';
import { SessionExpiredDialog } from './session-expired.js';
import { Shell } from './shell.js';
import { Empty, ErrorLabelsProvider, Loading, type ErrorLabels } from './ui.js';

/** One design system: Mantine, themed to the app's palette (the blue primary, 8 px radius, system font). */
const theme = createTheme({
  primaryColor: 'blue',
  // the darker blue: white text on it keeps a contrast of 4.5:1 or more
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'inherit',
  cursorType: 'pointer',
});

/** Each page is its own chunk, loaded when its route is first visited. */
const router = createBrowserRouter([
  { path: '/login', element: <LoginRoute /> },
  {
    path: '/',
    element: <Authed />,
    children: [
      { index: true, element: <Redirect to="/deals" /> },
      { path: 'deals', lazy: () => import('./features/board/board-page.js').then((m) => ({ Component: m.BoardPage })) },
      {
        path: 'deals/list',
        lazy: () => import('./features/list/list-page.js').then((m) => ({ Component: m.ListPage })),
      },
      {
        path: 'deals/:id',
        lazy: () => import('./features/deal/deal-page.js').then((m) => ({ Component: Keyed(m.DealPage) })),
      },
      {
        path: 'clients',
        lazy: () => import('./features/clients/clients-page.js').then((m) => ({ Component: m.ClientsPage })),
      },
      {
        path: 'clients/:id',
        lazy: () => import('./features/clients/client-page.js').then((m) => ({ Component: Keyed(m.ClientPage) })),
      },
      {
        path: 'import',
        lazy: () => import('./features/import/import-page.js').then((m) => ({ Component: m.ImportPage })),
      },
      {
        path: 'import/:id',
        lazy: () => import('./features/import/import-page.js').then((m) => ({ Component: Keyed(m.ImportPage) })),
      },
      {
        path: 'calendar/feeds',
        lazy: () =>
          import('./features/calendar-feeds/calendar-feeds-panel.js').then((m) => ({ Component: m.CalendarFeedsPage })),
      },
      {
        path: 'admin/pipelines',
        lazy: () =>
          import('./features/pipelines/pipelines-page.js').then((m) => ({
            Component: AdminOnly(m.PipelinesAdminPage),
          })),
      },
      {
        path: 'admin/users',
        lazy: () => import('./features/users/users-page.js').then((m) => ({ Component: AdminOnly(m.UsersAdminPage) })),
      },
      {
        path: 'admin/currency',
        lazy: () =>
          import('./features/currency/currency-page.js').then((m) => ({ Component: AdminOnly(m.CurrencyPage) })),
      },
      {
        path: 'admin/calendar',
        lazy: () =>
          import('./features/calendar-admin/calendar-admin-page.js').then((m) => ({
            Component: AdminOnly(m.CalendarAdminPage),
          })),
      },
      {
        path: 'admin/audit',
        lazy: () => import('./features/audit/audit-page.js').then((m) => ({ Component: AdminOnly(m.AuditPage) })),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
setRouter(router);

/** A page for one record (/deals/:id), mounted afresh for another id. */
function Keyed(Page: (p: { id: string }) => ReactNode) {
  return function KeyedPage() {
    const { id = '' } = useParams();
    return <Page key={id} id={id} />;
  };
}

function AdminOnly(Page: () => ReactNode) {
  return function AdminPage() {
    const { user } = useSession();
    return user?.role === 'admin' ? <Page /> : <NotFound />;
  };
}

export function App() {
  return (
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <Localized>
            <Notifications position="bottom-right" limit={4} />
            <RouterProvider router={router} />
          </Localized>
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}

function Localized({ children }: { children: ReactNode }) {
  const { locale, expired, user } = useSession();
  return (
    <I18nProvider locale={locale}>
      <DatesProvider settings={{ locale, firstDayOfWeek: locale === 'ru' ? 1 : 0 }}>
        {children}
        {expired && user ? <SessionExpiredDialog email={user.email} /> : null}
      </DatesProvider>
    </I18nProvider>
  );
}

function LoginRoute() {
  const { user, ready } = useSession();
  const { query } = useLocation();
  if (!ready)
    return (
      <div className="boot">
        <Loading />
      </div>
    );
  if (!user) return <LoginPage />;
  const next = query.get('next');
  return (
    <Redirect
      to={next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/deals'}
    />
  );
}

function Authed() {
  const { user, ready } = useSession();
  const { path } = useLocation();
  if (!ready)
    return (
      <div className="boot">
        <Loading />
      </div>
    );
  if (!user) return <Redirect to={`/login?next=${encodeURIComponent(path + location.search)}`} />;
  return <LoggedIn userId={user.id} />;
}

function LoggedIn({ userId }: { userId: string }) {
  useLiveUpdates(userId);
  return (
    <RefDataProvider key={userId}>
      <NamedErrors>
        <Shell>
          <Outlet />
        </Shell>
      </NamedErrors>
    </RefDataProvider>
  );
}

/** Lets error messages name fields, document kinds and stages as the rest of the app does. */
function NamedErrors({ children }: { children: ReactNode }) {
  const { fieldLabel, kindName } = useLabels();
  const { stageById } = useRefData();
  const { name } = useI18n();
  const labels = useMemo<ErrorLabels>(
    () => ({
      field: fieldLabel,
      kind: kindName,
      stage: (id) => {
        const s = stageById(id)?.stage;
        return s ? name(s) : null;
      },
    }),
    [fieldLabel, kindName, stageById, name],
  );
  return <ErrorLabelsProvider value={labels}>{children}</ErrorLabelsProvider>;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="page">
      <Empty icon="alert">
        <strong>{t('notFound.title')}</strong>
      </Empty>
      <p className="center">
        <Link to="/deals" className="link">
          {t('notFound.back')}
        </Link>
      </p>
    </div>
  );
}
