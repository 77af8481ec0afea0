import { MantineProvider, createTheme } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { QueryClientProvider } from '@tanstack/react-query';
import {
  Component,
  Suspense,
  lazy,
  type ComponentType,
  useEffect,
  useLayoutEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { BrowserRouter, Outlet, Route, Routes, useNavigate, useParams } from 'react-router';
import { I18nProvider, useI18n, withLateMessages } from './i18n/index.js';
import { useLiveUpdates } from './live.js';
import { chunk, useChunk, type Chunk } from './chunk.js';
import { queryClient } from './query.js';
import { Link, Redirect, setNavigator, useLocation } from './router.js';
import { useLabels } from './labels.js';
import { RefDataProvider, SessionProvider, useRefData, useSession } from './session.js';
import { Shell } from './shell.js';
// the board is the home page: part of the shell, so its first paint waits for no other chunk
import { BoardPage } from './features/board/board-page.js';
import { Empty, ErrorBox, ErrorLabelsProvider, Loading, type ErrorLabels } from './ui.js';

/** One design system: Mantine, themed to the app's palette (the blue primary, 8 px radius, system font). */
const theme = createTheme({
  primaryColor: 'blue',
  // the darker blue: white text on it keeps a contrast of 4.5:1 or more
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'inherit',
  cursorType: 'pointer',
});

/*
 * What the first paint of a page does not need is its own chunk, loaded when first wanted: the login page, the
 * session-expired dialog, the notifications' container (mounted once the page is idle: a notification shown before
 * waits in Mantine's store) and each page, when its route is first visited.
 */
const LoginPage = lazy(() => import('./pages/login.js').then((m) => ({ default: m.LoginPage })));
const SessionExpiredDialog = lazy(() =>
  import('./session-expired.js').then((m) => ({ default: m.SessionExpiredDialog })),
);
const Notifications = lazy(() => import('./notifications.js').then((m) => ({ default: m.Notifications })));

function LateNotifications() {
  const [on, setOn] = useState(false);
  useEffect(() => {
    const show = () => setOn(true);
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(show, { timeout: 2000 });
      return () => cancelIdleCallback(id);
    }
    const id = setTimeout(show, 1000);
    return () => clearTimeout(id);
  }, []);
  return on ? (
    <Suspense fallback={null}>
      <Notifications position="bottom-right" limit={4} />
    </Suspense>
  ) : null;
}

/*
 * Each page but the board (the home page, in the shell) is its own chunk; the page the app opens on is asked for at
 * boot (preloadPage), beside the data.
 */
/**
 * A page of its own chunk, drawn at once when the chunk is there (the one the app opens on was asked for at boot).
 * Not React.lazy: React holds back a Suspense boundary's content for a while after it showed its fallback.
 */
function page<M>(load: Chunk<M>, pick: (m: M) => ComponentType) {
  let picked: ComponentType | null = null;
  return function Page() {
    const m = useChunk(load);
    if (!m) return <Loading />;
    const C = (picked ??= pick(m));
    return <C />;
  };
}
const pages = {
  list: chunk(() => import('./features/list/list-page.js')),
  deal: chunk(() => import('./features/deal/deal-page.js')),
  clients: chunk(() => import('./features/clients/clients-page.js')),
  client: chunk(() => import('./features/clients/client-page.js')),
  import: chunk(() => withLateMessages(import('./features/import/import-page.js'))),
  pipelines: chunk(() => import('./features/pipelines/pipelines-page.js')),
  users: chunk(() => withLateMessages(import('./features/users/users-page.js'))),
  currency: chunk(() => withLateMessages(import('./features/currency/currency-page.js'))),
  audit: chunk(() => withLateMessages(import('./features/audit/audit-page.js'))),
  calendarAdmin: chunk(() => withLateMessages(import('./features/calendar-admin/calendar-admin-page.js'))),
  calendar: chunk(() => import('./features/calendar/calendar-page.js')),
  reports: chunk(() => import('./features/calendar/reports-page.js')),
  feeds: chunk(() => withLateMessages(import('./features/calendar-feeds/calendar-feeds-panel.js'))),
  regulations: chunk(() => withLateMessages(import('./features/regulations/regulations-page.js'))),
  inbox: chunk(() => withLateMessages(import('./features/regulations/inbox-page.js'))),
  instance: chunk(() => withLateMessages(import('./features/regulations/instance-page.js'))),
  // bpmn-js's modeler, bpmnlint and the form editor: loaded on the modeler page only
  modeler: chunk(() => withLateMessages(import('./features/regulations/modeler-page.js'))),
  feed: chunk(() => withLateMessages(import('./features/feed/feed-page.js'))),
  documents: chunk(() => withLateMessages(import('./features/documents/documents-page.js'))),
  plans: chunk(() => withLateMessages(import('./features/plans/plan-editor-page.js'))),
  planReview: chunk(() => withLateMessages(import('./features/plans/plan-review-page.js'))),
  planTotals: chunk(() => withLateMessages(import('./features/plans/plan-totals-page.js'))),
  planSettings: chunk(() => withLateMessages(import('./features/plans/plan-settings-page.js'))),
  payments: chunk(() => withLateMessages(import('./features/plans/payments-page.js'))),
};
/** Which page's chunk a path opens, first match wins. */
const PAGE_OF_PATH: [(p: string) => boolean, Chunk<unknown>][] = [
  [(p) => p === '/deals/list', pages.list],
  [(p) => p.startsWith('/deals/'), pages.deal],
  [(p) => p === '/clients', pages.clients],
  [(p) => p.startsWith('/clients/'), pages.client],
  [(p) => p.startsWith('/import'), pages.import],
  [(p) => p === '/calendar', pages.calendar],
  [(p) => p === '/calendar/feeds', pages.feeds],
  [(p) => p === '/reports', pages.reports],
  [(p) => p === '/feed', pages.feed],
  [(p) => p === '/documents', pages.documents],
  [(p) => p === '/plans', pages.plans],
  [(p) => p === '/plan-review', pages.planReview],
  [(p) => p === '/plan-totals', pages.planTotals],
  [(p) => p === '/payments', pages.payments],
  [(p) => p === '/admin/pipelines', pages.pipelines],
  [(p) => p === '/admin/users', pages.users],
  [(p) => p === '/admin/currency', pages.currency],
  [(p) => p === '/admin/calendar', pages.calendarAdmin],
  [(p) => p === '/admin/plans', pages.planSettings],
  [(p) => p === '/admin/audit', pages.audit],
  [(p) => p === '/tasks', pages.inbox],
  [(p) => p === '/regulations', pages.regulations],
  [(p) => p.startsWith('/regulations/instances/'), pages.instance],
  [(p) => p.startsWith('/regulations/'), pages.modeler],
];
/** Starts loading the chunk of the page at this path (called at boot, before the session is known). */
export function preloadPage(pathname: string) {
  const p = pathname.replace(/\/+$/, '') || '/';
  const load = PAGE_OF_PATH.find(([test]) => test(p))?.[1];
  void load?.().catch(() => {
    /* tried again when the page is drawn */
  });
}
const ListPage = page(pages.list, (m) => m.ListPage);
const DealPage = page(pages.deal, (m) => Keyed(m.DealPage));
const ClientsPage = page(pages.clients, (m) => m.ClientsPage);
const ClientPage = page(pages.client, (m) => Keyed(m.ClientPage));
const ImportPage = page(pages.import, (m) => m.ImportPage);
const ImportRun = page(pages.import, (m) => Keyed(m.ImportPage));
const PipelinesPage = page(pages.pipelines, (m) => AdminOnly(m.PipelinesAdminPage));
const UsersPage = page(pages.users, (m) => AdminOnly(m.UsersAdminPage));
const CurrencyPage = page(pages.currency, (m) => AdminOnly(m.CurrencyPage));
const AuditPage = page(pages.audit, (m) => AdminOnly(m.AuditPage));
const CalendarPage = page(pages.calendar, (m) => m.CalendarPage);
const ReportsPage = page(pages.reports, (m) => m.ReportsPage);
const CalendarFeedsPage = page(pages.feeds, (m) => m.CalendarFeedsPage);
const RegulationsPage = page(pages.regulations, (m) => m.RegulationsPage);
const InboxPage = page(pages.inbox, (m) => m.InboxPage);
const InstancePage = page(pages.instance, (m) => Keyed(m.InstancePage));
const ModelerPage = page(pages.modeler, (m) => Designer(Keyed(m.ModelerPage)));
const NewModelerPage = page(pages.modeler, (m) => Designer(() => <m.ModelerPage id="new" />));
const FeedPage = page(pages.feed, (m) => m.FeedPage);
const DocumentsPage = page(pages.documents, (m) => m.DocumentsPage);
const PlanEditorPage = page(pages.plans, (m) => m.PlanEditorPage);
const PlanReviewPage = page(pages.planReview, (m) => m.PlanReviewPage);
const PlanTotalsPage = page(pages.planTotals, (m) => m.PlanTotalsPage);
const PaymentsPage = page(pages.payments, (m) => m.PaymentsPage);
const CalendarAdminPage = page(pages.calendarAdmin, (m) => AdminOnly(m.CalendarAdminPage));
const PlanSettingsPage = page(pages.planSettings, (m) => AdminOnly(m.PlanSettingsPage));

/** React Router in declarative mode (the data router's loaders and actions are not used: TanStack Query reads). */
function AppRoutes() {
  return (
    <BrowserRouter>
      <NavigatorBridge />
      <Routes>
        <Route path="/login" element={<LoginRoute />} />
        <Route path="/" element={<Authed />}>
          <Route index element={<Redirect to="/deals" />} />
          <Route path="deals" element={<BoardPage />} />
          <Route path="deals/list" element={<ListPage />} />
          <Route path="deals/:id" element={<DealPage />} />
          <Route path="clients" element={<ClientsPage />} />
          <Route path="clients/:id" element={<ClientPage />} />
          <Route path="calendar" element={<CalendarPage />} />
          <Route path="calendar/feeds" element={<CalendarFeedsPage />} />
          <Route path="reports" element={<ReportsPage />} />
          <Route path="feed" element={<FeedPage />} />
          <Route path="documents" element={<DocumentsPage />} />
          <Route path="plans" element={<PlanEditorPage />} />
          <Route path="plan-review" element={<PlanReviewPage />} />
          <Route path="plan-totals" element={<PlanTotalsPage />} />
          <Route path="payments" element={<PaymentsPage />} />
          <Route path="import" element={<ImportPage />} />
          <Route path="import/:id" element={<ImportRun />} />
          <Route path="tasks" element={<InboxPage />} />
          <Route path="regulations" element={<RegulationsPage />} />
          <Route path="regulations/new" element={<NewModelerPage />} />
          <Route path="regulations/instances/:id" element={<InstancePage />} />
          <Route path="regulations/:id/edit" element={<ModelerPage />} />
          <Route path="admin/pipelines" element={<PipelinesPage />} />
          <Route path="admin/users" element={<UsersPage />} />
          <Route path="admin/currency" element={<CurrencyPage />} />
          <Route path="admin/calendar" element={<CalendarAdminPage />} />
          <Route path="admin/plans" element={<PlanSettingsPage />} />
          <Route path="admin/audit" element={<AuditPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}

/** Lets code outside components navigate (router.tsx's navigate) with the router's own navigate. */
function NavigatorBridge() {
  const go = useNavigate();
  useLayoutEffect(() => setNavigator(go));
  return null;
}

/** A page whose chunk failed to load (offline, or a new version deployed meanwhile): an error and a reload. */
class PageBoundary extends Component<{ children: ReactNode; path: string }, { error: unknown; path: string }> {
  state = { error: null as unknown, path: this.props.path };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  static getDerivedStateFromProps(
    props: { path: string },
    state: { error: unknown; path: string },
  ): { error: unknown; path: string } | null {
    // another page: the error was this page's
    return props.path !== state.path ? { error: null, path: props.path } : null;
  }
  render() {
    return this.state.error ? (
      <div className="page">
        <ErrorBox error={this.state.error} onRetry={() => location.reload()} />
      </div>
    ) : (
      this.props.children
    );
  }
}

/** A page for one record (/deals/:id), mounted afresh for another id. */
function Keyed(Page: (p: { id: string }) => ReactNode) {
  return function KeyedPage() {
    const { id = '' } = useParams();
    return <Page key={id} id={id} />;
  };
}

/** Process owners and administrators draw regulations. */
function Designer(Page: () => ReactNode) {
  return function DesignerPage() {
    const { user } = useSession();
    return user?.role === 'admin' || user?.role === 'process_owner' ? <Page /> : <NotFound />;
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
            <LateNotifications />
            <AppRoutes />
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
        {expired && user ? (
          <Suspense fallback={null}>
            <SessionExpiredDialog email={user.email} />
          </Suspense>
        ) : null}
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
  if (!user)
    return (
      <Suspense
        fallback={
          <div className="boot">
            <Loading />
          </div>
        }
      >
        <LoginPage />
      </Suspense>
    );
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
  const { path } = useLocation();
  return (
    <RefDataProvider key={userId}>
      <NamedErrors>
        <Shell>
          <PageBoundary path={path}>
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </PageBoundary>
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
