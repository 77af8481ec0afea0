/** Creating or changing a department (Mantine form): its name, parent, lead, whether it sells, and its members. */
import { Checkbox, NativeSelect, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useRef, useState, type FormEvent } from 'react';
import type { Department, User } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Button, Dialog, ErrorBox, Icon, useErrorText, useToast } from '../../ui.js';
import { markProblemField } from '../fields/problem-field.js';
import { useMoveMember, useSaveDepartment } from './departments-query.js';
import { MemberPicker } from './member-picker.js';

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
export function DepartmentDialog({
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
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      name: department?.name ?? '',
      parentId: department?.parentId ?? '',
      leadId: department?.leadId ?? '',
      isSalesGroup: department?.isSalesGroup ?? true,
    },
    validate: { name: (v: string) => (v.trim() ? null : t('error.requiredField')) },
  });
  const values = form.values;
  const saveDepartment = useSaveDepartment();
  const moveMember = useMoveMember();
  const [busy, setBusy] = useState(false);
  const error = saveDepartment.error;
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
  const lead = users.find((u) => u.id === values.leadId) ?? null;
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
  const leadOption = (u: User) => ({ value: u.id, label: `${u.name} · ${u.email}` });
  const leads = leadChoices.filter((u) => u.role === 'lead');
  const others = leadChoices.filter((u) => u.role !== 'lead');

  async function save(v: typeof values) {
    setBusy(true);
    setFailures([]);
    const body = {
      name: v.name.trim(),
      parentId: v.parentId || null,
      leadId: v.leadId || null,
      isSalesGroup: v.isSalesGroup,
    };
    let dept = saved;
    try {
      if (!dept || savedBody.current !== JSON.stringify(body))
        dept = await saveDepartment.mutateAsync({ saved: dept, body });
      savedBody.current = JSON.stringify(body);
      if (dept !== saved) {
        setSaved(dept);
        changed.current = true;
      }
    } catch (e) {
      markProblemField(form, e);
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
        const r = await moveMember.mutateAsync({ userId: u.id, version, departmentId: adding ? dept.id : null });
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

  const submit = (e?: FormEvent<HTMLFormElement>) => form.onSubmit((v) => void save(v))(e);

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
          <Button variant="primary" busy={busy} onClick={() => submit()} data-testid="department-save">
            {saved ? t('common.save') : t('common.create')}
          </Button>
        </>
      }
    >
      <form className="form-grid" noValidate onSubmit={submit}>
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
        <TextInput
          id="dp-name"
          label={t('field.name')}
          withAsterisk
          data-testid="department-name"
          {...form.getInputProps('name')}
        />
        <NativeSelect
          id="dp-parent"
          label={t('departments.parent')}
          data={[
            { value: '', label: t('common.noneOption') },
            ...departments.filter((d) => !blocked.has(d.id)).map((d) => ({ value: d.id, label: d.name })),
          ]}
          {...form.getInputProps('parentId')}
        />
        <NativeSelect
          id="dp-lead"
          label={t('departments.lead')}
          data-testid="department-lead"
          data={[
            { value: '', label: t('common.noneOption') },
            ...(leads.length ? [{ group: t('departments.leadsGroup'), items: leads.map(leadOption) }] : []),
            ...(others.length ? [{ group: t('departments.othersGroup'), items: others.map(leadOption) }] : []),
            ...(values.leadId && !leadChoices.some((u) => u.id === values.leadId)
              ? [{ value: values.leadId, label: '…' }]
              : []),
          ]}
          {...form.getInputProps('leadId')}
          onChange={(e) => {
            form.setFieldValue('leadId', e.currentTarget.value);
            setLeadJoins(true);
          }}
        />
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
          leadId={values.leadId || null}
          deptOf={deptOf}
          members={members}
          onToggle={toggle}
          disabled={busy}
        />
        <Checkbox label={t('departments.salesGroup')} {...form.getInputProps('isSalesGroup', { type: 'checkbox' })} />
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}
