import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../accounts/entities.ts';
import { generatePassword, hashPassword } from '../accounts/secrets.ts';
import { DealField, DocumentKind, Pipeline, Stage } from '../pipelines/entities.ts';
import { Client, Contact } from '../clients/entities.ts';
import { DEMO_OPTIONS_RU, DEMO_STAGES_RU } from './demo-names.ts';

/** Creates the first administrator when there is no user yet; a generated password is returned to print once. */
export async function ensureFirstAdmin(em: EntityManager, opts: { email?: string; password?: string }) {
  if ((await em.count(User, {})) > 0) return null;
  const email = (opts.email ?? 'admin@dealflow.local').toLowerCase();
  const password = opts.password ?? generatePassword();
  const user = em.create(User, {
    id: randomUUID(),
    email,
    name: 'Administrator',
    passwordHash: await hashPassword(password),
    role: 'admin',
  });
  await em.flush();
  return { id: user.id, email, password, generated: !opts.password };
}

/**
 * A working sales desk on first start: document kinds, a "Sales" pipeline whose "Commercial proposal sent"
 * stage requires the amount and a commercial proposal, a custom field, and two demo clients.
 */
export async function seedDefaults(
  em: EntityManager,
  ownerId: string,
): Promise<{ seeded: boolean; pipelineId: string | null }> {
  if ((await em.count(Pipeline, {})) > 0) return { seeded: false, pipelineId: null };
  const kind = (code: string, name: string, ru: string) =>
    em.create(DocumentKind, { id: randomUUID(), code, name, translations: { ru: { name: ru } } });
  const proposal = kind('commercial_proposal', 'Commercial proposal', 'Коммерческое предложение');
  kind('contract', 'Contract', 'Договор');
  kind('invoice', 'Invoice', 'Счёт');
  em.create(DealField, {
    id: randomUUID(),
    key: 'source',
    label: 'Lead source',
    type: 'select',
    options: DEMO_OPTIONS_RU.map(([en]) => en),
    position: 0,
    translations: { ru: { label: 'Источник', options: Object.fromEntries(DEMO_OPTIONS_RU) } },
  });
  const pipeline = em.create(Pipeline, {
    id: randomUUID(),
    name: 'Sales',
    position: 0,
    translations: { ru: { name: 'Продажи' } },
  });
  const ru = new Map(DEMO_STAGES_RU);
  const stages: [string, 'open' | 'won' | 'lost', string[], string[]][] = [
    ['New lead', 'open', [], []],
    ['Qualified', 'open', ['contactId'], []],
    ['Commercial proposal sent', 'open', ['amount'], [proposal.id]],
    ['Negotiation', 'open', ['amount', 'expectedCloseDate'], [proposal.id]],
    ['Won', 'won', ['amount'], [proposal.id]],
    ['Lost', 'lost', [], []],
  ];
  stages.forEach(([name, k, fields, kinds], position) =>
    em.create(Stage, {
      id: randomUUID(),
      pipelineId: pipeline.id,
      name,
      position,
      kind: k,
      requiredFields: fields,
      requiredDocumentKinds: kinds,
      translations: { ru: { name: ru.get(name) } },
    }),
  );
  for (const [name, contact] of [
    ['Northwind Trading', 'Anna Petrova'],
    ['Contoso Manufacturing', 'Ivan Smirnov'],
  ]) {
    const client = em.create(Client, { id: randomUUID(), name, ownerId });
    em.create(Contact, { id: randomUUID(), clientId: client.id, name: contact });
  }
  await em.flush();
  return { seeded: true, pipelineId: pipeline.id };
}
