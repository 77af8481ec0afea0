/** The users: role, department and access changed in place; inviting a new one. */
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Department, Role, User } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { Avatar, Button, Empty, ErrorBox, Icon, Loading, Spinner, useToast } from '../../ui.js';
import { InviteDialog, ROLES } from './invite-dialog.js';
import { useUpdateUser, userListQuery, type UserChanges } from './users-query.js';

export function UsersTab({ departments }: { departments: Department[] }) {
  const { t } = useI18n();
  const toast = useToast();
  const { user: me } = useSession();
  const [q, setQ] = useState('');
  const [query] = useDebouncedValue(q.trim(), 250);
  const list = useInfiniteQuery({ ...userListQuery(query), placeholderData: keepPreviousData });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const loading = list.isFetching;
  const error = list.error;
  const updating = useUpdateUser();
  const rowError = updating.error;
  const busyRow = updating.isPending ? (updating.variables?.user.id ?? null) : null;
  const [inviting, setInviting] = useState(false);

  const update = (u: User, changes: UserChanges) =>
    updating.mutate({ user: u, changes }, { onSuccess: () => toast('ok', t('users.updated')) });

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
      <ErrorBox error={error} onRetry={() => void list.refetch()} />
      <ErrorBox error={rowError} />
      {list.isPending ? (
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
                      onChange={(e) => update(u, { role: e.target.value as Role })}
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
                      onChange={(e) => update(u, { departmentId: e.target.value || null })}
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
                          onClick={() => update(u, { disabled: !u.disabled })}
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
      {list.hasNextPage ? (
        <div className="center mt-4">
          <Button onClick={() => void list.fetchNextPage()} busy={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        </div>
      ) : null}
      {inviting ? <InviteDialog departments={departments} onClose={() => setInviting(false)} /> : null}
    </>
  );
}
