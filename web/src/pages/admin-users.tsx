import { useEffect, useId, useRef, useState } from 'react';
import { allPages, api, qs, type Department, type Page, type Role, type User } from '../api.js';
import { useAsync, useDebounced, useDocumentTitle } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import {
  Avatar,
  Button,
  Dialog,
  Empty,
  ErrorBox,
  Field,
  Icon,
  Loading,
  Spinner,
  useErrorText,
  useToast,
} from '../ui.js';

const ROLES: Role[] = ['admin', 'process_owner', 'lead', 'manager', 'member'];

export function UsersAdminPage() {
  const { t } = useI18n();
  useDocumentTitle(t('users.title'));
  const { query } = useLocation();
  const tab = query.get('tab') === 'departments' ? 'departments' : 'users';
  const departments = useAsync(() => api.get<{ items: Department[] }>('/departments').then((r) => r.items), []);
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('users.title')}</h1>
        </div>
      </header>
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'users'}
          className={`tab ${tab === 'users' ? 'active' : ''}`}
          onClick={() => navigate('/admin/users')}
        >
          <Icon name="users" size={16} /> {t('users.tabUsers')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'departments'}
          className={`tab ${tab === 'departments' ? 'active' : ''}`}
          onClick={() => navigate('/admin/users?tab=departments')}
        >
          <Icon name="building" size={16} /> {t('users.tabDepartments')}
        </button>
      </div>
      {tab === 'users' ? (
        <UsersTab departments={departments.data ?? []} />
      ) : (
        <DepartmentsTab
          departments={departments.data}
          error={departments.error}
          loading={departments.loading}
          reload={() => void departments.reload()}
        />
      )}
    </div>
  );
}

function UsersTab({ departments }: { departments: Department[] }) {
  const { t } = useI18n();
  const toast = useToast();
  const { user: me } = useSession();
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const [items, setItems] = useState<User[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [busyRow, setBusyRow] = useState<string | null>(null);
  const [inviting, setInviting] = useState(false);
  const seq = useRef(0);

  async function load(reset: boolean) {
    const id = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<Page<User>>(
        `/users${qs({ q: query || undefined, limit: 50, cursor: reset ? undefined : (cursor ?? undefined) })}`,
      );
      if (id !== seq.current) return;
      setItems((prev) => (reset ? page.items : [...prev, ...page.items]));
      setCursor(page.nextCursor);
    } catch (e) {
      if (id === seq.current) setError(e);
    } finally {
      if (id === seq.current) setLoading(false);
    }
  }
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new search loads its first page
    void load(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new search reloads
  }, [query]);

  async function update(u: User, changes: Partial<Pick<User, 'role' | 'departmentId' | 'disabled'>>) {
    setBusyRow(u.id);
    setRowError(null);
    try {
      const r = await api.patch<User | { user: User }>(`/users/${u.id}`, { version: u.version, ...changes });
      const next = 'user' in r ? r.user : r;
      setItems((list) => list.map((x) => (x.id === u.id ? { ...x, ...next } : x)));
      toast('ok', t('users.updated'));
    } catch (e) {
      setRowError(e);
    } finally {
      setBusyRow(null);
    }
  }

  const deptName = (id: string | null) => departments.find((d) => d.id === id)?.name ?? '';
  return (
    <>
      <div className="toolbar">
        <div className="input-icon toolbar-search">
          <Icon name="search" size={16} />
          <input
            className="input"
            type="search"
            placeholder={t('users.search')}
            aria-label={t('common.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          {loading && items.length ? <Spinner /> : null}
        </div>
        <div className="toolbar-spacer" />
        <Button variant="primary" icon="plus" onClick={() => setInviting(true)} data-testid="invite-user">
          {t('users.invite')}
        </Button>
      </div>
      <ErrorBox error={error} onRetry={() => void load(true)} />
      <ErrorBox error={rowError} />
      {loading && !items.length ? (
        <Loading />
      ) : items.length === 0 && !error ? (
        <Empty icon="users">{t('users.empty')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="users-table">
            <thead>
              <tr>
                <th>{t('field.name')}</th>
                <th>{t('field.role')}</th>
                <th className="hide-sm">{t('field.department')}</th>
                <th>{t('field.status')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.id} className={u.disabled ? 'row-disabled' : ''}>
                  <td>
                    <div className="user-cell">
                      <Avatar name={u.name} size={30} />
                      <div>
                        <div className="strong">
                          {u.name}
                          {u.id === me?.id ? <span className="muted"> ({t('users.you')})</span> : null}
                        </div>
                        <div className="muted small">{u.email}</div>
                      </div>
                    </div>
                  </td>
                  <td>
                    <select
                      className="input input-compact"
                      aria-label={t('field.role')}
                      value={u.role}
                      disabled={busyRow === u.id || u.id === me?.id}
                      onChange={(e) => void update(u, { role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`role.${r}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="hide-sm">
                    <select
                      className="input input-compact"
                      aria-label={t('field.department')}
                      value={u.departmentId ?? ''}
                      disabled={busyRow === u.id}
                      onChange={(e) => void update(u, { departmentId: e.target.value || null })}
                    >
                      <option value="">{t('common.noneOption')}</option>
                      {departments.map((d) => (
                        <option key={d.id} value={d.id}>
                          {d.name}
                        </option>
                      ))}
                      {u.departmentId && !deptName(u.departmentId) ? <option value={u.departmentId}>…</option> : null}
                    </select>
                  </td>
                  <td>
                    <div className="status-cell">
                      <span className={`badge ${u.disabled ? 'badge-red' : 'badge-green'}`}>
                        {u.disabled ? t('users.disabled') : t('users.active')}
                      </span>
                      {u.id !== me?.id ? (
                        <Button
                          size="sm"
                          variant="ghost"
                          busy={busyRow === u.id}
                          onClick={() => void update(u, { disabled: !u.disabled })}
                        >
                          {u.disabled ? t('users.enable') : t('users.disable')}
                        </Button>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? (
        <div className="center mt-4">
          <Button onClick={() => void load(false)} busy={loading}>
            {t('common.loadMore')}
          </Button>
        </div>
      ) : null}
      {inviting ? (
        <InviteDialog
          departments={departments}
          onClose={() => setInviting(false)}
          onCreated={(u) => setItems((l) => [u, ...l])}
        />
      ) : null}
    </>
  );
}

function InviteDialog({
  departments,
  onClose,
  onCreated,
}: {
  departments: Department[];
  onClose: () => void;
  onCreated: (u: User) => void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState({ email: '', name: '', role: 'manager' as Role, departmentId: '' });
  const [invalid, setInvalid] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ user: User; password: string } | null>(null);
  const [copied, setCopied] = useState(false);

  async function submit() {
    const bad: Record<string, boolean> = {};
    if (!/^\S+@\S+\.\S+$/.test(form.email.trim())) bad.email = true;
    if (!form.name.trim()) bad.name = true;
    setInvalid(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ user: User; password: string }>('/users', {
        email: form.email.trim(),
        name: form.name.trim(),
        role: form.role,
        ...(form.departmentId ? { departmentId: form.departmentId } : {}),
      });
      setResult(r);
      onCreated(r.user);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (result) {
    return (
      <Dialog
        title={t('users.invited')}
        onClose={onClose}
        testId="invite-result"
        footer={
          <Button variant="primary" onClick={onClose}>
            {t('common.close')}
          </Button>
        }
      >
        <p>{t('users.passwordOnce', { name: result.user.name })}</p>
        <div className="secret">
          <Icon name="key" />
          <code data-testid="invite-password">{result.password}</code>
          <Button
            size="sm"
            onClick={() => {
              void navigator.clipboard?.writeText(result.password).then(() => setCopied(true));
            }}
          >
            {copied ? t('common.copied') : t('common.copy')}
          </Button>
        </div>
        <p className="muted small">{result.user.email}</p>
      </Dialog>
    );
  }
  return (
    <Dialog
      title={t('users.inviteTitle')}
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" busy={busy} onClick={() => void submit()}>
            {t('users.invite')}
          </Button>
        </>
      }
    >
      <form
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBox error={error} />
        <Field
          label={t('field.email')}
          htmlFor="iv-email"
          required
          error={invalid.email ? t('error.requiredField') : null}
        >
          <input
            id="iv-email"
            type="email"
            className="input"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </Field>
        <Field
          label={t('field.name')}
          htmlFor="iv-name"
          required
          error={invalid.name ? t('error.requiredField') : null}
        >
          <input
            id="iv-name"
            className="input"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
        </Field>
        <div className="form-row">
          <Field label={t('field.role')} htmlFor="iv-role" className="grow">
            <select
              id="iv-role"
              className="input"
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('field.department')} htmlFor="iv-dept" className="grow">
            <select
              id="iv-dept"
              className="input"
              value={form.departmentId}
              onChange={(e) => setForm({ ...form, departmentId: e.target.value })}
            >
              <option value="">{t('common.noneOption')}</option>
              {departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}

function DepartmentsTab({
  departments,
  error,
  loading,
  reload,
}: {
  departments: Department[] | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}) {
  const { t } = useI18n();
  // every user: the dialog picks members among them and must know who is in the department now
  const users = useAsync(() => allPages<User>('/users', {}), []);
  const [editing, setEditing] = useState<Department | 'new' | null>(null);
  const list = departments ?? [];
  const name = (id: string | null) => list.find((d) => d.id === id)?.name ?? '';
  const userName = (id: string | null) => users.data?.find((u) => u.id === id)?.name ?? '';

  // departments as a tree: children indented under their parent
  const ordered: { d: Department; depth: number }[] = [];
  const walk = (parent: string | null, depth: number, seen: Set<string>) => {
    for (const d of list.filter((x) => x.parentId === parent)) {
      if (seen.has(d.id)) continue;
      seen.add(d.id);
      ordered.push({ d, depth });
      walk(d.id, depth + 1, seen);
    }
  };
  const seen = new Set<string>();
  walk(null, 0, seen);
  for (const d of list) if (!seen.has(d.id)) ordered.push({ d, depth: 0 });

  return (
    <>
      <div className="toolbar">
        <div className="toolbar-spacer" />
        <Button variant="primary" icon="plus" onClick={() => setEditing('new')} data-testid="new-department">
          {t('departments.new')}
        </Button>
      </div>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !departments ? (
        <Loading />
      ) : list.length === 0 && !error ? (
        <Empty icon="building">{t('departments.empty')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table table-click" data-testid="departments-table">
            <thead>
              <tr>
                <th>{t('field.name')}</th>
                <th className="hide-sm">{t('departments.parent')}</th>
                <th>{t('departments.lead')}</th>
                <th className="num">{t('departments.members')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {ordered.map(({ d, depth }) => (
                <tr key={d.id} onClick={() => setEditing(d)} data-testid="department-row" data-id={d.id}>
                  <td>
                    <span style={{ paddingLeft: depth * 18 }} className="inline-flex">
                      {depth ? <span className="tree-mark">└</span> : null}
                      <span className="strong">{d.name}</span>
                      {d.isSalesGroup ? <span className="badge badge-blue">{t('departments.salesGroup')}</span> : null}
                    </span>
                  </td>
                  <td className="hide-sm muted">{name(d.parentId)}</td>
                  <td>
                    {d.leadId ? (
                      <span className="inline-flex">
                        <Avatar name={userName(d.leadId)} size={20} /> {userName(d.leadId)}
                      </span>
                    ) : (
                      <span className="muted">{t('common.none')}</span>
                    )}
                  </td>
                  <td className="num">{d.memberCount}</td>
                  <td className="num">
                    <button type="button" className="icon-btn" aria-label={t('common.edit')}>
                      <Icon name="edit" size={16} />
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing ? (
        <DepartmentDialog
          department={editing === 'new' ? null : editing}
          departments={list}
          users={users.data}
          usersError={users.error}
          onRetryUsers={() => void users.reload()}
          onClose={(changed) => {
            setEditing(null);
            if (changed) {
              reload();
              void users.reload();
            }
          }}
        />
      ) : null}
    </>
  );
}

/** A membership change that did not go through: who, which way, and why. */
interface MemberFailure {
  user: User;
  adding: boolean;
  error: unknown;
}

/**
 * Create or edit a department with its lead and members. Members are users whose departmentId is the department, so
 * saving writes the department first and then PATCHes each user who joins or leaves, one after the other. When some of
 * those fail, the dialog stays open with the choice as it was: saving again retries only what is still different.
 */
function DepartmentDialog({
  department,
  departments,
  users: loadedUsers,
  usersError,
  onRetryUsers,
  onClose,
}: {
  department: Department | null;
  departments: Department[];
  users: User[] | undefined;
  usersError: unknown;
  onRetryUsers: () => void;
  /** changed: whether anything was written, so the lists need a reload */
  onClose: (changed: boolean) => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const errorText = useErrorText();
  const users = loadedUsers ?? [];
  const [form, setForm] = useState({
    name: department?.name ?? '',
    parentId: department?.parentId ?? '',
    leadId: department?.leadId ?? '',
    isSalesGroup: department?.isSalesGroup ?? true,
  });
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [failures, setFailures] = useState<MemberFailure[]>([]);
  /** the department as this dialog last wrote it (a created one, after a partial failure, is then edited, not created again) */
  const [saved, setSaved] = useState<Department | null>(department);
  const savedBody = useRef<string | null>(null);
  const changed = useRef(false);
  /** departmentId of the users this dialog moved, as the server answered */
  const [moved, setMoved] = useState<ReadonlyMap<string, string | null>>(new Map());
  /** the version of each user this dialog has changed, for the next change */
  const versions = useRef(new Map<string, number>());
  const deptOf = (u: User) => (moved.has(u.id) ? moved.get(u.id)! : u.departmentId);
  const deptId = saved?.id ?? null;
  const current = new Set(users.filter((u) => deptId && deptOf(u) === deptId).map((u) => u.id));
  /** the members chosen; null until the first change, so members loaded later are kept rather than dropped */
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const members = picked ?? current;
  const toggle = (id: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev ?? current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const lead = users.find((u) => u.id === form.leadId) ?? null;
  // a lead in no department yet: offer to make them a member as well
  const offerJoin = !!lead && deptOf(lead) === null && !members.has(lead.id);
  const [leadJoins, setLeadJoins] = useState(true);

  // a department cannot sit under itself or its own descendants
  const blocked = new Set<string>();
  if (deptId) {
    blocked.add(deptId);
    let grew = true;
    while (grew) {
      grew = false;
      for (const d of departments)
        if (d.parentId && blocked.has(d.parentId) && !blocked.has(d.id)) {
          blocked.add(d.id);
          grew = true;
        }
    }
  }

  // the lead picker: group leads first, then the others; administrators only when they lead this department already
  const leadChoices = users.filter((u) => u.id === department?.leadId || (!u.disabled && u.role !== 'admin'));
  const leadOption = (u: User) => (
    <option key={u.id} value={u.id}>
      {u.name} · {u.email}
    </option>
  );
  const leads = leadChoices.filter((u) => u.role === 'lead');
  const others = leadChoices.filter((u) => u.role !== 'lead');

  async function submit() {
    if (!form.name.trim()) {
      setInvalid(true);
      return;
    }
    setBusy(true);
    setError(null);
    setFailures([]);
    const body = {
      name: form.name.trim(),
      parentId: form.parentId || null,
      leadId: form.leadId || null,
      isSalesGroup: form.isSalesGroup,
    };
    let dept = saved;
    try {
      if (!dept) dept = await api.post<Department>('/departments', body);
      else if (savedBody.current !== JSON.stringify(body)) {
        dept = await api.patch<Department>(`/departments/${dept.id}`, { ...body, version: dept.version });
      }
      savedBody.current = JSON.stringify(body);
      if (dept !== saved) {
        setSaved(dept);
        changed.current = true;
      }
    } catch (e) {
      setError(e);
      setBusy(false);
      return;
    }

    const want = new Set(members);
    if (offerJoin && leadJoins && lead) want.add(lead.id);
    setPicked(want);
    const done = new Map(moved);
    const failed: MemberFailure[] = [];
    for (const u of users) {
      const isMember = (done.has(u.id) ? done.get(u.id) : u.departmentId) === dept.id;
      const adding = want.has(u.id);
      if (isMember === adding) continue;
      try {
        const version = versions.current.get(u.id) ?? u.version;
        const r = await api.patch<User>(`/users/${u.id}`, { version, departmentId: adding ? dept.id : null });
        versions.current.set(u.id, r.version);
        done.set(u.id, r.departmentId);
        setMoved(new Map(done));
        changed.current = true;
      } catch (e) {
        failed.push({ user: u, adding, error: e });
      }
    }
    setBusy(false);
    if (failed.length) {
      setFailures(failed);
      return;
    }
    toast('ok', department ? t('departments.updated') : t('departments.created'));
    onClose(true);
  }

  return (
    <Dialog
      title={saved ? saved.name : t('departments.new')}
      onClose={() => onClose(changed.current)}
      busy={busy}
      testId="department-dialog"
      footer={
        <>
          <Button onClick={() => onClose(changed.current)} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" busy={busy} onClick={() => void submit()} data-testid="department-save">
            {saved ? t('common.save') : t('common.create')}
          </Button>
        </>
      }
    >
      <form
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBox error={error} testId="department-error" />
        {failures.length ? (
          <div className="alert alert-error" role="alert" data-testid="member-errors">
            <Icon name="alert" />
            <div className="alert-body">
              <div className="alert-detail">{t('departments.membersFailed')}</div>
              <ul className="alert-list">
                {failures.map((f) => (
                  <li key={f.user.id} data-testid="member-error">
                    {t(f.adding ? 'departments.addFailed' : 'departments.removeFailed', {
                      name: f.user.name,
                      error: errorText(f.error),
                    })}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        ) : null}
        <Field label={t('field.name')} htmlFor="dp-name" required error={invalid ? t('error.requiredField') : null}>
          <input
            id="dp-name"
            className="input"
            value={form.name}
            onChange={(e) => {
              setForm({ ...form, name: e.target.value });
              setInvalid(false);
            }}
            data-testid="department-name"
          />
        </Field>
        <Field label={t('departments.parent')} htmlFor="dp-parent">
          <select
            id="dp-parent"
            className="input"
            value={form.parentId}
            onChange={(e) => setForm({ ...form, parentId: e.target.value })}
          >
            <option value="">{t('common.noneOption')}</option>
            {departments
              .filter((d) => !blocked.has(d.id))
              .map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
          </select>
        </Field>
        <Field label={t('departments.lead')} htmlFor="dp-lead">
          <select
            id="dp-lead"
            className="input"
            value={form.leadId}
            data-testid="department-lead"
            onChange={(e) => {
              setForm({ ...form, leadId: e.target.value });
              setLeadJoins(true);
            }}
          >
            <option value="">{t('common.noneOption')}</option>
            {leads.length ? <optgroup label={t('departments.leadsGroup')}>{leads.map(leadOption)}</optgroup> : null}
            {others.length ? <optgroup label={t('departments.othersGroup')}>{others.map(leadOption)}</optgroup> : null}
            {form.leadId && !leadChoices.some((u) => u.id === form.leadId) ? (
              <option value={form.leadId}>…</option>
            ) : null}
          </select>
        </Field>
        {offerJoin && lead ? (
          <label className="check check-sub">
            <input
              type="checkbox"
              checked={leadJoins}
              onChange={(e) => setLeadJoins(e.target.checked)}
              data-testid="lead-joins"
            />
            {t('departments.leadJoins', { name: lead.name })}
          </label>
        ) : null}
        <MemberPicker
          users={loadedUsers}
          error={usersError}
          onRetry={onRetryUsers}
          departments={departments}
          deptId={deptId}
          leadId={form.leadId || null}
          deptOf={deptOf}
          members={members}
          onToggle={toggle}
          disabled={busy}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={form.isSalesGroup}
            onChange={(e) => setForm({ ...form, isSalesGroup: e.target.checked })}
          />
          {t('departments.salesGroup')}
        </label>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}

/** Checkboxes for the members of a department, with a search when the list is long. */
function MemberPicker({
  users,
  error,
  onRetry,
  departments,
  deptId,
  leadId,
  deptOf,
  members,
  onToggle,
  disabled,
}: {
  users: User[] | undefined;
  error: unknown;
  onRetry: () => void;
  departments: Department[];
  deptId: string | null;
  leadId: string | null;
  deptOf: (u: User) => string | null;
  members: Set<string>;
  onToggle: (id: string, on: boolean) => void;
  disabled: boolean;
}) {
  const { t } = useI18n();
  const labelId = useId();
  const [q, setQ] = useState('');
  const deptName = (id: string) => departments.find((d) => d.id === id)?.name ?? '…';
  // disabled users only while they are still members, so they can be taken out
  const eligible = (users ?? []).filter((u) => !u.disabled || (deptId !== null && deptOf(u) === deptId));
  const needle = q.trim().toLowerCase();
  const shown = needle
    ? eligible.filter((u) => u.name.toLowerCase().includes(needle) || u.email.toLowerCase().includes(needle))
    : eligible;
  return (
    <div className="field" role="group" aria-labelledby={labelId} data-testid="department-members">
      <div className="field-label" id={labelId}>
        {t('departments.members')}{' '}
        <span className="count" data-testid="member-count">
          {members.size}
        </span>
      </div>
      {!users ? (
        error ? (
          <ErrorBox error={error} onRetry={onRetry} />
        ) : (
          <Loading />
        )
      ) : (
        <>
          {eligible.length > 8 ? (
            <div className="input-icon">
              <Icon name="search" size={16} />
              <input
                className="input"
                type="search"
                placeholder={t('departments.memberSearch')}
                aria-label={t('departments.memberSearch')}
                value={q}
                onChange={(e) => setQ(e.target.value)}
                data-testid="member-search"
              />
            </div>
          ) : null}
          <ul className="member-list">
            {shown.map((u) => {
              const on = members.has(u.id);
              const now = deptOf(u);
              const elsewhere = now !== null && now !== deptId;
              return (
                <li key={u.id}>
                  <label
                    className={`member-option ${on ? 'is-on' : ''}`}
                    data-testid="member-option"
                    data-user-id={u.id}
                  >
                    <input
                      type="checkbox"
                      checked={on}
                      disabled={disabled}
                      onChange={(e) => onToggle(u.id, e.target.checked)}
                    />
                    <Avatar name={u.name} size={26} />
                    <span className="member-main">
                      <span className="strong">{u.name}</span>
                      <span className="muted small">
                        {t(`role.${u.role}`)} · {u.email}
                      </span>
                    </span>
                    {u.id === leadId ? <span className="badge badge-blue">{t('departments.lead')}</span> : null}
                    {u.disabled ? <span className="badge badge-red">{t('users.disabled')}</span> : null}
                    {elsewhere ? (
                      <span className={`badge ${on ? 'badge-amber' : ''}`} data-testid="member-elsewhere">
                        {t(on ? 'departments.movesFrom' : 'departments.inOther', { name: deptName(now) })}
                      </span>
                    ) : !on && deptId !== null && now === deptId ? (
                      <span className="badge badge-red">{t('departments.leaves')}</span>
                    ) : null}
                  </label>
                </li>
              );
            })}
            {shown.length === 0 ? <li className="muted small member-empty">{t('users.empty')}</li> : null}
          </ul>
        </>
      )}
    </div>
  );
}
