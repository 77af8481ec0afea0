/**
 * The outcomes a result may name, per event kind, kept by an admin: a label and whether it closes the matter (no
 * next step needed). Archived outcomes stay on the reports that named them and are no longer offered.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, notFound } from '../shared/errors.ts';
import type { EventKind } from './model.ts';
import type { OutcomeChoice } from './rules.ts';

export interface OutcomeView extends OutcomeChoice {
  kind: EventKind;
  position: number;
  archived: boolean;
}

const SELECT = `select id, kind, label, closes, position, archived_at is not null as archived from event_outcomes`;

/** The outcomes offered for a kind, in the admin's order. */
export async function outcomesFor(em: EntityManager, kind: EventKind): Promise<OutcomeChoice[]> {
  return em
    .getConnection()
    .execute<OutcomeChoice[]>(
      `select id, label, closes from event_outcomes where kind = ? and archived_at is null order by position, label`,
      [kind],
    );
}

export async function listOutcomes(em: EntityManager, includeArchived: boolean): Promise<OutcomeView[]> {
  return em
    .getConnection()
    .execute<OutcomeView[]>(
      `${SELECT} ${includeArchived ? '' : 'where archived_at is null'} order by kind, position, label`,
    );
}

const taken = (label: string) =>
  new DomainError('OUTCOME_LABEL_TAKEN', `This kind has an outcome named "${label}" already`, { field: 'label' });

export async function createOutcome(
  em: EntityManager,
  input: { kind: EventKind; label: string; closes: boolean },
): Promise<OutcomeView> {
  const id = randomUUID();
  try {
    await em.getConnection().execute(
      `insert into event_outcomes (id, kind, label, closes, position)
       values (?, ?, ?, ?, (select coalesce(max(position), 0) + 1 from event_outcomes where kind = ?))`,
      [id, input.kind, input.label, input.closes, input.kind],
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw taken(input.label);
    throw err;
  }
  const [row] = await em.getConnection().execute<OutcomeView[]>(`${SELECT} where id = ?`, [id]);
  return row;
}

export async function updateOutcome(
  em: EntityManager,
  id: string,
  input: { label?: string; closes?: boolean; archived?: boolean; position?: number },
): Promise<OutcomeView> {
  try {
    const rows = await em.getConnection().execute<{ id: string }[]>(
      `update event_outcomes set label = coalesce(?, label), closes = coalesce(?, closes),
         position = coalesce(?, position),
         archived_at = case when ?::boolean is null then archived_at when ?::boolean then coalesce(archived_at, now()) end
       where id = ? returning id`,
      [
        input.label ?? null,
        input.closes ?? null,
        input.position ?? null,
        input.archived ?? null,
        input.archived ?? null,
        id,
      ],
    );
    if (!rows.length) throw notFound('Outcome');
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw taken(input.label ?? '');
    throw err;
  }
  const [row] = await em.getConnection().execute<OutcomeView[]>(`${SELECT} where id = ?`, [id]);
  return row;
}
