import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { api, type Locale, type Role } from './api.js';
import { useAfterFirstPaint } from './after-paint.js';
import { chunk, useChunk } from './chunk.js';
import { useI18n, type MessageKey } from './i18n/index.js';
import { Link, useLocation } from './router.js';
import { useSession } from './session.js';
import { Avatar, Icon, errorText, useToast } from './ui.js';
import { useFeedUnread } from './features/feed/feed-unread.js';

export function LanguageSwitch() {
  const { t } = useI18n();
  const { locale, setLocale } = useSession();
  const toast = useToast();
  const choose = (l: Locale) => {
    if (l === locale) return;
    setLocale(l).catch((e) => toast('error', errorText(e, t)));
  };
  return (
    <div className="segmented" role="group" aria-label={t('nav.language')} data-testid="lang-switch">
      {(['en', 'ru'] as const).map((l) => (
        <button
          key={l}
          type="button"
          aria-pressed={locale === l}
          className={locale === l ? 'active' : ''}
          onClick={() => choose(l)}
          data-testid={`lang-${l}`}
        >
          {l.toUpperCase()}
        </button>
      ))}
    </div>
  );
}

function NavItem({
  to,
  icon,
  label,
  active,
  onClick,
  count,
  countLabel,
}: {
  to: string;
  icon: string;
  label: string;
  active: boolean;
  onClick: () => void;
  /** a number shown beside the entry (unread), when above zero */
  count?: number;
  countLabel?: string;
}) {
  if (to === '/tasks') return <TasksNavItem to={to} icon={icon} label={label} active={active} onClick={onClick} />;
  return (
    <Link
      to={to}
      className={`nav-item ${active ? 'active' : ''}`}
      aria-current={active ? 'page' : undefined}
      onClick={onClick}
    >
      <Icon name={icon} /> <span>{label}</span>
      {count ? (
        <>
          <span className="nav-count" data-testid={`nav-count-${to.slice(1)}`} aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
          {/* the entry's name is its text: the label, then the count in words (no aria-label that would differ) */}
          <span className="sr-only">{countLabel}</span>
        </>
      ) : null}
    </Link>
  );
}

/**
 * The tasks entry with the count of open tasks the user may work (overdue ones in red), kept live: the stream's
 * `tasks` event reads it again (live.ts).
 */
function TasksNavItem(props: { to: string; icon: string; label: string; active: boolean; onClick: () => void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const q = useQuery({
    enabled: useAfterFirstPaint(),
    queryKey: ['tasks'],
    queryFn: () => api.get<{ items: { claimedBy: string | null; dueAt: string | null }[] }>('/tasks'),
    staleTime: 30_000,
  });
  const items = (q.data?.items ?? []).filter((x) => x.claimedBy === null || x.claimedBy === user?.id);
  const late = items.some((x) => x.dueAt !== null && Date.parse(x.dueAt) < q.dataUpdatedAt);
  return (
    <Link
      to={props.to}
      className={`nav-item ${props.active ? 'active' : ''}`}
      aria-current={props.active ? 'page' : undefined}
      onClick={props.onClick}
    >
      <Icon name={props.icon} /> <span>{props.label}</span>
      {items.length ? (
        <span
          className={`nav-count ${late ? 'nav-count-late' : ''}`}
          data-testid="nav-task-count"
          aria-label={t('nav.tasksCount', { count: items.length })}
        >
          {items.length}
        </span>
      ) : null}
    </Link>
  );
}

/** The navigation: each entry is active on its path and below it (the deals also on the home page). */
interface NavEntry {
  to: string;
  icon: string;
  label: MessageKey;
  /** what the entry counts (shown beside it when above zero), and how a screen reader reads the entry then */
  count?: { useCount: () => number; label: MessageKey };
  /** shown only to these roles (all when absent) */
  roles?: Role[];
}
const MAIN_NAV: NavEntry[] = [
  { to: '/deals', icon: 'board', label: 'nav.deals' },
  { to: '/clients', icon: 'building', label: 'nav.clients' },
  { to: '/feed', icon: 'chat', label: 'nav.feed', count: { useCount: useFeedUnread, label: 'nav.feedUnread' } },
  { to: '/calendar', icon: 'calendar', label: 'nav.calendar' },
  { to: '/reports', icon: 'file', label: 'nav.reports' },
  { to: '/tasks', icon: 'check', label: 'nav.tasks' },
  { to: '/regulations', icon: 'flow', label: 'nav.regulations' },
  { to: '/documents', icon: 'archive', label: 'nav.documents' },
  { to: '/plans', icon: 'trophy', label: 'nav.plans' },
  { to: '/plan-review', icon: 'check', label: 'nav.planReview', roles: ['lead', 'admin'] },
  { to: '/plan-totals', icon: 'board', label: 'nav.planTotals' },
  { to: '/payments', icon: 'download', label: 'nav.payments' },
];
const ADMIN_NAV: NavEntry[] = [
  { to: '/admin/pipelines', icon: 'flow', label: 'nav.pipelines' },
  { to: '/admin/users', icon: 'users', label: 'nav.users' },
  { to: '/admin/currency', icon: 'globe', label: 'nav.currency' },
  { to: '/admin/calendar', icon: 'calendar', label: 'nav.calendarAdmin' },
  { to: '/admin/plans', icon: 'trophy', label: 'nav.planSettings' },
  { to: '/admin/audit', icon: 'clock', label: 'nav.audit' },
];

/** An entry with its count, read by the entry's hook (e.g. the feed's unread posts, kept live by the stream). */
function CountedNavItem({ entry, ...props }: { entry: NavEntry } & Parameters<typeof NavItem>[0]) {
  const { t } = useI18n();
  const count = entry.count!.useCount();
  return <NavItem {...props} count={count} countLabel={count ? t(entry.count!.label, { count }) : undefined} />;
}

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { user, logout } = useSession();
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  // the menu closes on navigation
  const [menuPath, setMenuPath] = useState(path);
  if (menuPath !== path) {
    setMenuPath(path);
    setOpen(false);
  }
  const close = () => setOpen(false);
  const isAdmin = user?.role === 'admin';
  const navProps = (n: NavEntry) => ({
    to: n.to,
    icon: n.icon,
    label: t(n.label),
    active: n.to === '/deals' ? path === '/' || path.startsWith('/deals') : path.startsWith(n.to),
    onClick: close,
  });
  return (
    <div className={`shell ${open ? 'nav-open' : ''}`}>
      <aside className="sidebar" aria-label={t('nav.menu')}>
        <div className="brand">
          <span className="brand-mark">D</span>
          <span>{t('app.name')}</span>
        </div>
        <nav className="nav">
          {MAIN_NAV.filter((n) => !n.roles || (user && n.roles.includes(user.role))).map((n) =>
            n.count ? (
              <CountedNavItem key={n.to} entry={n} {...navProps(n)} />
            ) : (
              <NavItem key={n.to} {...navProps(n)} />
            ),
          )}
          {isAdmin ? (
            <>
              <div className="nav-section">{t('nav.admin')}</div>
              {ADMIN_NAV.map((n) => (
                <NavItem key={n.to} {...navProps(n)} />
              ))}
            </>
          ) : null}
        </nav>
      </aside>
      <div className="scrim" onClick={close} aria-hidden="true" />
      <div className="main">
        <header className="topbar">
          <button
            type="button"
            className="icon-btn menu-btn"
            onClick={() => setOpen((o) => !o)}
            aria-label={t('nav.menu')}
            aria-expanded={open}
          >
            <Icon name="menu" />
          </button>
          <div className="topbar-brand brand">
            <span className="brand-mark">D</span>
          </div>
          <div className="toolbar-spacer" />
          <LateBell />
          <LanguageSwitch />
          <div className="user-chip" data-testid="current-user">
            <Avatar name={user?.name} size={28} />
            <div className="user-chip-text">
              <span className="user-chip-name">{user?.name}</span>
              <span className="user-chip-role">{user ? t(`role.${user.role}`) : ''}</span>
            </div>
          </div>
          <button
            type="button"
            className="icon-btn"
            onClick={() => void logout()}
            aria-label={t('nav.logout')}
            title={t('nav.logout')}
            data-testid="logout"
          >
            <Icon name="logout" />
          </button>
        </header>
        <main className="content" id="content">
          {children}
        </main>
      </div>
    </div>
  );
}

/**
 * The notification bell and its centre (Mantine's Drawer and Indicator, the list's queries) are their own chunk,
 * loaded once the page is idle: the board's first paint does not wait for them. A stand-in keeps the top bar's layout.
 */
const bellChunk = chunk(() => import('./features/notifications/notification-centre.js'));
function LateBell() {
  const [go, setGo] = useState(bellChunk.loaded !== null);
  useEffect(() => {
    if (go) return;
    const start = () => setGo(true);
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(start, { timeout: 1500 });
      return () => cancelIdleCallback(id);
    }
    const id = setTimeout(start, 500);
    return () => clearTimeout(id);
  }, [go]);
  return go ? <BellLoaded /> : <span className="bell-standin" aria-hidden="true" />;
}
function BellLoaded() {
  const m = useChunk(bellChunk);
  return m ? <m.NotificationBell /> : <span className="bell-standin" aria-hidden="true" />;
}
