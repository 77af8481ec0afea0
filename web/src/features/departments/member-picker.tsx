import { useId, useState } from 'react';
import type { Department, User } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Avatar, ErrorBox, Icon, Loading } from '../../ui.js';

/** Checkboxes for the members of a department, with a search when the list is long. */
export function MemberPicker({
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
