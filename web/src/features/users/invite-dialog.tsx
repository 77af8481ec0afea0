/** Inviting a user (Mantine form): the account is created with a password shown once, to hand over. */
import { NativeSelect, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { Department, Role } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Button, Dialog, ErrorBox, Icon } from '../../ui.js';
import { markProblemField } from '../fields/problem-field.js';
import { useInviteUser } from './users-query.js';

export const ROLES: Role[] = ['admin', 'process_owner', 'lead', 'manager', 'member'];

export function InviteDialog({ departments, onClose }: { departments: Department[]; onClose: () => void }) {
  const { t } = useI18n();
  const invite = useInviteUser();
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', name: '', role: 'manager' as Role, departmentId: '' },
    validate: {
      email: (v: string) =>
        !v.trim() ? t('error.requiredField') : /^\S+@\S+\.\S+$/.test(v.trim()) ? null : t('error.invalidEmail'),
      name: (v: string) => (v.trim() ? null : t('error.requiredField')),
    },
  });
  const busy = invite.isPending;
  const error = invite.error;
  const result = invite.data;
  const [copied, setCopied] = useState(false);

  const submit = form.onSubmit((v) =>
    invite.mutate(
      {
        email: v.email.trim(),
        name: v.name.trim(),
        role: v.role,
        ...(v.departmentId ? { departmentId: v.departmentId } : {}),
      },
      { onError: (e) => markProblemField(form, e) },
    ),
  );

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
              void navigator.clipboard?.writeText(result.password ?? '').then(() => setCopied(true));
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
          <Button variant="primary" busy={busy} onClick={() => submit()} data-testid="invite-submit">
            {t('users.invite')}
          </Button>
        </>
      }
    >
      <form className="form-grid" noValidate onSubmit={submit}>
        <ErrorBox error={error} />
        <TextInput id="iv-email" type="email" label={t('field.email')} withAsterisk {...form.getInputProps('email')} />
        <TextInput id="iv-name" label={t('field.name')} withAsterisk {...form.getInputProps('name')} />
        <div className="form-row">
          <NativeSelect
            id="iv-role"
            label={t('field.role')}
            className="grow"
            data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
            {...form.getInputProps('role')}
          />
          <NativeSelect
            id="iv-dept"
            label={t('field.department')}
            className="grow"
            data={[
              { value: '', label: t('common.noneOption') },
              ...departments.map((d) => ({ value: d.id, label: d.name })),
            ]}
            {...form.getInputProps('departmentId')}
          />
        </div>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}
