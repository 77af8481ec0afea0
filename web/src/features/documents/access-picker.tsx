/** Who may open a folder or a document: inherit, everyone, a department, a role, or private. */
import { useQuery } from '@tanstack/react-query';
import { useI18n } from '../../i18n/index.js';
import { Field } from '../../ui.js';
import { departmentsQuery } from './documents-query.js';

export interface AccessValue {
  kind: 'inherit' | 'everyone' | 'department' | 'role' | 'private';
  departmentId: string | null;
  role: 'admin' | 'process_owner' | 'lead' | 'manager' | 'member' | null;
}

const KINDS = ['inherit', 'everyone', 'department', 'role', 'private'] as const;
const ROLES = ['admin', 'process_owner', 'lead', 'manager', 'member'] as const;

export function AccessPicker({ value, onChange }: { value: AccessValue; onChange: (v: AccessValue) => void }) {
  const { t } = useI18n();
  const departments = useQuery({ ...departmentsQuery, enabled: value.kind === 'department' });
  return (
    <div className="access-picker">
      <Field label={t('documents.access')} htmlFor="access-kind">
        <select
          id="access-kind"
          className="input"
          value={value.kind}
          onChange={(e) => onChange({ ...value, kind: e.target.value as AccessValue['kind'] })}
          data-testid="access-kind"
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`documents.accessKinds.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      {value.kind === 'department' ? (
        <Field label={t('documents.department')} htmlFor="access-department">
          <select
            id="access-department"
            className="input"
            value={value.departmentId ?? ''}
            onChange={(e) => onChange({ ...value, departmentId: e.target.value || null })}
            data-testid="access-department"
          >
            <option value="">—</option>
            {(departments.data?.items ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      {value.kind === 'role' ? (
        <Field label={t('documents.role')} htmlFor="access-role">
          <select
            id="access-role"
            className="input"
            value={value.role ?? ''}
            onChange={(e) => onChange({ ...value, role: (e.target.value || null) as AccessValue['role'] })}
            data-testid="access-role"
          >
            <option value="">—</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
    </div>
  );
}
