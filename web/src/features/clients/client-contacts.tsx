/** The contact people of a client, and a short form to add one. */
import { TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { ClientDetail } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Avatar, Button, Card, Empty, ErrorBox, useToast } from '../../ui.js';
import { markProblemField } from '../fields/problem-field.js';
import { useAddContact } from './clients-query.js';

const EMPTY = { name: '', position: '', email: '', phone: '' };

export function ClientContactsCard({ client }: { client: ClientDetail }) {
  const { t } = useI18n();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const add = useAddContact(client.id);
  const form = useForm({
    mode: 'controlled',
    initialValues: EMPTY,
    validate: { name: (v: string) => (v.trim() ? null : t('error.requiredField')) },
  });
  const busy = add.isPending;
  const submit = form.onSubmit((v) => {
    const body = { name: v.name.trim() } as { name: string; position?: string; email?: string; phone?: string };
    for (const k of ['position', 'email', 'phone'] as const) if (v[k].trim()) body[k] = v[k].trim();
    add.mutate(body, {
      onSuccess: (c) => {
        toast('ok', t('client.contactAdded', { name: c.name }));
        form.reset();
        setAdding(false);
      },
      onError: (e) => markProblemField(form, e),
    });
  });
  const contacts = client.contacts ?? [];
  return (
    <Card
      title={
        <>
          {t('client.contacts')} <span className="count">{contacts.length}</span>
        </>
      }
      testId="client-contacts"
      actions={
        !adding ? (
          <Button size="sm" icon="plus" onClick={() => setAdding(true)} data-testid="add-contact">
            {t('client.addContact')}
          </Button>
        ) : null
      }
    >
      {contacts.length === 0 && !adding ? (
        <Empty icon="users">{t('client.noContacts')}</Empty>
      ) : (
        <ul className="contacts">
          {contacts.map((c) => (
            <li key={c.id} className="contact" data-testid="contact">
              <Avatar name={c.name} size={32} />
              <div className="contact-main">
                <div className="strong">{c.name}</div>
                {c.position ? <div className="muted small">{c.position}</div> : null}
                <div className="small contact-links">
                  {c.email ? (
                    <a className="link" href={`mailto:${c.email}`}>
                      {c.email}
                    </a>
                  ) : null}
                  {c.phone ? (
                    <a className="link" href={`tel:${c.phone}`}>
                      {c.phone}
                    </a>
                  ) : null}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      {adding ? (
        <form className="form-grid contact-form" noValidate onSubmit={submit} data-testid="contact-form">
          <ErrorBox error={add.error} />
          <TextInput id="ct-name" label={t('field.name')} withAsterisk {...form.getInputProps('name')} />
          <TextInput id="ct-pos" label={t('field.position')} {...form.getInputProps('position')} />
          <TextInput id="ct-email" type="email" label={t('field.email')} {...form.getInputProps('email')} />
          <TextInput id="ct-phone" type="tel" label={t('field.phone')} {...form.getInputProps('phone')} />
          <div className="form-actions">
            <Button
              onClick={() => {
                setAdding(false);
                add.reset();
                form.reset();
              }}
              disabled={busy}
            >
              {t('common.cancel')}
            </Button>
            <Button variant="primary" type="submit" busy={busy} data-testid="contact-submit">
              {t('common.add')}
            </Button>
          </div>
        </form>
      ) : null}
    </Card>
  );
}
