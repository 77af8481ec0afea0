import { useEffect, useRef, useState } from 'react';
import { api, qs, type Department, type Page, type Role, type User } from '../api.js';
import { useAsync, useDebounced, useDocumentTitle } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import { Avatar, Button, Dialog, Empty, ErrorBox, Field, Icon, Loading, Spinner, useToast } from '../ui.js';

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
        <div className="page-title"><h1>{t('users.title')}</h1></div>
      </header>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'users'} className={`tab ${tab === 'users' ? 'active' : ''}`}
          onClick={() => navigate('/admin/users')}><Icon name="users" size={16} /> {t('users.tabUsers')}</button>
        <button type="button" role="tab" aria-selected={tab === 'departments'} className={`tab ${tab === 'departments' ? 'active' : ''}`}
          onClick={() => navigate('/admin/users?tab=departments')}><Icon name="building" size={16} /> {t('users.tabDepartments')}</button>
      </div>
      {tab === 'users'
        ? <UsersTab departments={departments.data ?? []} />
        : <DepartmentsTab departments={departments.data} error={departments.error} loading={departments.loading} reload={() => void departments.reload()} />}
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
    setLoading(true); setError(null);
    try {
      const page = await api.get<Page<User>>(`/users${qs({ q: query || undefined, limit: 50, cursor: reset ? undefined : cursor ?? undefined })}`);
      if (id !== seq.current) return;
      setItems((prev) => (reset ? page.items : [...prev, ...page.items]));
      setCursor(page.nextCursor);
    } catch (e) { if (id === seq.current) setError(e); } finally { if (id === seq.current) setLoading(false); }
  }
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(true); }, [query]);

  async function update(u: User, changes: Partial<Pick<User, 'role' | 'departmentId' | 'disabled'>>) {
    setBusyRow(u.id); setRowError(null);
    try {
      const r = await api.patch<User | { user: User }>(`/users/${u.id}`, changes);
      const next = 'user' in r ? r.user : r;
      setItems((list) => list.map((x) => (x.id === u.id ? { ...x, ...next } : x)));
      toast('ok', t('users.updated'));
    } catch (e) { setRowError(e); } finally { setBusyRow(null); }
  }

  const deptName = (id: string | null) => departments.find((d) => d.id === id)?.name ?? '';
  return (
    <>
      <div className="toolbar">
        <div className="input-icon toolbar-search">
          <Icon name="search" size={16} />
          <input className="input" type="search" placeholder={t('users.search')} aria-label={t('common.search')} value={q} onChange={(e) => setQ(e.target.value)} />
          {loading && items.length ? <Spinner /> : null}
        </div>
        <div className="toolbar-spacer" />
        <Button variant="primary" icon="plus" onClick={() => setInviting(true)} data-testid="invite-user">{t('users.invite')}</Button>
      </div>
      <ErrorBox error={error} onRetry={() => void load(true)} />
      <ErrorBox error={rowError} />
      {loading && !items.length ? <Loading /> : items.length === 0 && !error ? <Empty icon="users">{t('users.empty')}</Empty> : (
        <div className="table-wrap">
          <table className="table" data-testid="users-table">
            <thead><tr><th>{t('field.name')}</th><th>{t('field.role')}</th><th className="hide-sm">{t('field.department')}</th><th>{t('field.status')}</th></tr></thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.id} className={u.disabled ? 'row-disabled' : ''}>
                  <td>
                    <div className="user-cell">
                      <Avatar name={u.name} size={30} />
                      <div>
                        <div className="strong">{u.name}{u.id === me?.id ? <span className="muted"> ({t('users.you')})</span> : null}</div>
                        <div className="muted small">{u.email}</div>
                      </div>
                    </div>
                  </td>
                  <td>
                    <select className="input input-compact" aria-label={t('field.role')} value={u.role} disabled={busyRow === u.id || u.id === me?.id}
                      onChange={(e) => void update(u, { role: e.target.value as Role })}>
                      {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
                    </select>
                  </td>
                  <td className="hide-sm">
                    <select className="input input-compact" aria-label={t('field.department')} value={u.departmentId ?? ''} disabled={busyRow === u.id}
                      onChange={(e) => void update(u, { departmentId: e.target.value || null })}>
                      <option value="">{t('common.noneOption')}</option>
                      {departments.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
                      {u.departmentId && !deptName(u.departmentId) ? <option value={u.departmentId}>…</option> : null}
                    </select>
                  </td>
                  <td>
                    <div className="status-cell">
                      <span className={`badge ${u.disabled ? 'badge-red' : 'badge-green'}`}>{u.disabled ? t('users.disabled') : t('users.active')}</span>
                      {u.id !== me?.id ? (
                        <Button size="sm" variant="ghost" busy={busyRow === u.id} onClick={() => void update(u, { disabled: !u.disabled })}>
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
      {cursor ? <div className="center mt-4"><Button onClick={() => void load(false)} busy={loading}>{t('common.loadMore')}</Button></div> : null}
      {inviting ? <InviteDialog departments={departments} onClose={() => setInviting(false)} onCreated={(u) => setItems((l) => [u, ...l])} /> : null}
    </>
  );
}

function InviteDialog({ departments, onClose, onCreated }: { departments: Department[]; onClose: () => void; onCreated: (u: User) => void }) {
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
    setBusy(true); setError(null);
    try {
      const r = await api.post<{ user: User; password: string }>('/users', {
        email: form.email.trim(), name: form.name.trim(), role: form.role, ...(form.departmentId ? { departmentId: form.departmentId } : {}),
      });
      setResult(r);
      onCreated(r.user);
    } catch (e) { setError(e); } finally { setBusy(false); }
  }

  if (result) {
    return (
      <Dialog title={t('users.invited')} onClose={onClose} testId="invite-result"
        footer={<Button variant="primary" onClick={onClose}>{t('common.close')}</Button>}>
        <p>{t('users.passwordOnce', { name: result.user.name })}</p>
        <div className="secret">
          <Icon name="key" />
          <code data-testid="invite-password">{result.password}</code>
          <Button size="sm" onClick={() => { void navigator.clipboard?.writeText(result.password).then(() => setCopied(true)); }}>
            {copied ? t('common.copied') : t('common.copy')}
          </Button>
        </div>
        <p className="muted small">{result.user.email}</p>
      </Dialog>
    );
  }
  return (
    <Dialog title={t('users.inviteTitle')} onClose={onClose} busy={busy}
      footer={<><Button onClick={onClose} disabled={busy}>{t('common.cancel')}</Button>
        <Button variant="primary" busy={busy} onClick={() => void submit()}>{t('users.invite')}</Button></>}>
      <form className="form-grid" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <ErrorBox error={error} />
        <Field label={t('field.email')} htmlFor="iv-email" required error={invalid.email ? t('error.requiredField') : null}>
          <input id="iv-email" type="email" className="input" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </Field>
        <Field label={t('field.name')} htmlFor="iv-name" required error={invalid.name ? t('error.requiredField') : null}>
          <input id="iv-name" className="input" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <div className="form-row">
          <Field label={t('field.role')} htmlFor="iv-role" className="grow">
            <select id="iv-role" className="input" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
            </select>
          </Field>
          <Field label={t('field.department')} htmlFor="iv-dept" className="grow">
            <select id="iv-dept" className="input" value={form.departmentId} onChange={(e) => setForm({ ...form, departmentId: e.target.value })}>
              <option value="">{t('common.noneOption')}</option>
              {departments.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
            </select>
          </Field>
        </div>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}

function DepartmentsTab({ departments, error, loading, reload }: { departments: Department[] | undefined; error: unknown; loading: boolean; reload: () => void }) {
  const { t } = useI18n();
  const users = useAsync(() => api.get<Page<User>>('/users?limit=100').then((r) => r.items), []);
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
        <Button variant="primary" icon="plus" onClick={() => setEditing('new')}>{t('departments.new')}</Button>
      </div>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !departments ? <Loading /> : list.length === 0 && !error ? <Empty icon="building">{t('departments.empty')}</Empty> : (
        <div className="table-wrap">
          <table className="table table-click" data-testid="departments-table">
            <thead><tr><th>{t('field.name')}</th><th className="hide-sm">{t('departments.parent')}</th><th>{t('departments.lead')}</th><th className="num">{t('departments.members')}</th><th /></tr></thead>
            <tbody>
              {ordered.map(({ d, depth }) => (
                <tr key={d.id} onClick={() => setEditing(d)}>
                  <td>
                    <span style={{ paddingLeft: depth * 18 }} className="inline-flex">
                      {depth ? <span className="tree-mark">└</span> : null}
                      <span className="strong">{d.name}</span>
                      {d.isSalesGroup ? <span className="badge badge-blue">{t('departments.salesGroup')}</span> : null}
                    </span>
                  </td>
                  <td className="hide-sm muted">{name(d.parentId)}</td>
                  <td>{d.leadId ? <span className="inline-flex"><Avatar name={userName(d.leadId)} size={20} /> {userName(d.leadId)}</span> : <span className="muted">{t('common.none')}</span>}</td>
                  <td className="num">{d.memberCount}</td>
                  <td className="num"><button type="button" className="icon-btn" aria-label={t('common.edit')}><Icon name="edit" size={16} /></button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing ? <DepartmentDialog department={editing === 'new' ? null : editing} departments={list} users={users.data ?? []}
        onClose={() => setEditing(null)} onSaved={() => { setEditing(null); reload(); }} /> : null}
    </>
  );
}

function DepartmentDialog({ department, departments, users, onClose, onSaved }: {
  department: Department | null; departments: Department[]; users: User[]; onClose: () => void; onSaved: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [form, setForm] = useState({
    name: department?.name ?? '', parentId: department?.parentId ?? '', leadId: department?.leadId ?? '', isSalesGroup: department?.isSalesGroup ?? true,
  });
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // a department cannot sit under itself or its own descendants
  const blocked = new Set<string>();
  if (department) {
    blocked.add(department.id);
    let grew = true;
    while (grew) {
      grew = false;
      for (const d of departments) if (d.parentId && blocked.has(d.parentId) && !blocked.has(d.id)) { blocked.add(d.id); grew = true; }
    }
  }
  async function submit() {
    if (!form.name.trim()) { setInvalid(true); return; }
    setBusy(true); setError(null);
    const body = { name: form.name.trim(), parentId: form.parentId || null, leadId: form.leadId || null, isSalesGroup: form.isSalesGroup };
    try {
      if (department) await api.patch(`/departments/${department.id}`, { ...body, ...(department.version !== undefined ? { version: department.version } : {}) });
      else await api.post('/departments', body);
      toast('ok', department ? t('departments.updated') : t('departments.created'));
      onSaved();
    } catch (e) { setError(e); } finally { setBusy(false); }
  }
  return (
    <Dialog title={department ? department.name : t('departments.new')} onClose={onClose} busy={busy}
      footer={<><Button onClick={onClose} disabled={busy}>{t('common.cancel')}</Button>
        <Button variant="primary" busy={busy} onClick={() => void submit()}>{department ? t('common.save') : t('common.create')}</Button></>}>
      <form className="form-grid" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <ErrorBox error={error} />
        <Field label={t('field.name')} htmlFor="dp-name" required error={invalid ? t('error.requiredField') : null}>
          <input id="dp-name" className="input" value={form.name} onChange={(e) => { setForm({ ...form, name: e.target.value }); setInvalid(false); }} />
        </Field>
        <Field label={t('departments.parent')} htmlFor="dp-parent">
          <select id="dp-parent" className="input" value={form.parentId} onChange={(e) => setForm({ ...form, parentId: e.target.value })}>
            <option value="">{t('common.noneOption')}</option>
            {departments.filter((d) => !blocked.has(d.id)).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </Field>
        <Field label={t('departments.lead')} htmlFor="dp-lead">
          <select id="dp-lead" className="input" value={form.leadId} onChange={(e) => setForm({ ...form, leadId: e.target.value })}>
            <option value="">{t('common.noneOption')}</option>
            {users.filter((u) => !u.disabled || u.id === form.leadId).map((u) => <option key={u.id} value={u.id}>{u.name} · {u.email}</option>)}
          </select>
        </Field>
        <label className="check">
          <input type="checkbox" checked={form.isSalesGroup} onChange={(e) => setForm({ ...form, isSalesGroup: e.target.checked })} />
          {t('departments.salesGroup')}
        </label>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}
