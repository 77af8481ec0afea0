/** The departments as a tree, with their leads and member counts; a row opens the department's dialog. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Department } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Avatar, Button, Empty, ErrorBox, Icon, Loading } from '../../ui.js';
import { allUsersQuery } from '../users/users-query.js';
import { DepartmentDialog } from './department-dialog.js';
import { useRefreshDepartments } from './departments-query.js';

export function DepartmentsTab({
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
  const users = useQuery(allUsersQuery);
  const refresh = useRefreshDepartments();
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
          onRetryUsers={() => void users.refetch()}
          onClose={(changed) => {
            setEditing(null);
            if (changed) void refresh();
          }}
        />
      ) : null}
    </>
  );
}
