import type { EntityManager } from '@mikro-orm/postgresql';
import { DealField } from '../pipelines/entities.ts';
import { Contact } from '../clients/entities.ts';
import type { DealChanges, FieldValue } from './gate.ts';

export class FieldError extends Error {
  constructor(readonly field: string, message: string) { super(message); }
}

/*
 * The formats of deal values, in one place: the API's schemas (api/routes/deals.ts) and validateChanges below use these.
 */
/** a non-negative decimal with up to 16 digits before and 2 after the point (numeric(18,2)) */
export const DECIMAL = /^\d{1,16}(\.\d{1,2})?$/;
/** an ISO 4217 currency code */
export const CURRENCY = /^[A-Z]{3}$/;
/** YYYY-MM-DD with a year from 1000 to 9999: Postgres refuses year 0, and 5-digit years are not dates the app shows */
export const DATE = /^[1-9]\d{3}-\d{2}-\d{2}$/;

/** A calendar date YYYY-MM-DD (the day exists) in the years 1000–9999. */
export const isDate = (v: string) => DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))
  && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

function checkCustom(def: { key: string; type: string; options: string[] }, value: FieldValue): void {
  if (value === null) return;
  const bad = (why: string) => { throw new FieldError(`custom.${def.key}`, `${def.key}: ${why}`); };
  switch (def.type) {
    case 'text': if (typeof value !== 'string' || value.length > 5000) bad('expects text up to 5000 characters'); break;
    case 'number': if (typeof value !== 'number' || !Number.isFinite(value)) bad('expects a number'); break;
    case 'date': if (typeof value !== 'string' || !isDate(value)) bad('expects a date YYYY-MM-DD'); break;
    case 'select': if (typeof value !== 'string' || !def.options.includes(value)) bad(`expects one of: ${def.options.join(', ')}`); break;
    case 'money': {
      const m = value as { amount?: unknown; currency?: unknown };
      if (typeof m !== 'object' || typeof m.amount !== 'string' || !DECIMAL.test(m.amount) || typeof m.currency !== 'string' || !CURRENCY.test(m.currency)) {
        bad('expects {"amount": "123.45", "currency": "EUR"}');
      }
      break;
    }
  }
}

/**
 * Checks a set of changes against the deal it applies to and the admin's field definitions.
 * current: the deal's amount/currency/client before the change.
 */
export async function validateChanges(
  em: EntityManager, changes: DealChanges, current: { clientId: string; amount: string | null; currency: string | null },
): Promise<void> {
  if (changes.amount != null && !DECIMAL.test(changes.amount)) throw new FieldError('amount', 'amount: expects a non-negative decimal with up to 2 places');
  if (changes.currency != null && !CURRENCY.test(changes.currency)) throw new FieldError('currency', 'currency: expects an ISO 4217 code such as EUR');
  const amount = changes.amount !== undefined ? changes.amount : current.amount;
  const currency = changes.currency !== undefined ? changes.currency : current.currency;
  if ((amount === null) !== (currency === null)) throw new FieldError('currency', 'amount and currency go together: set both or neither');
  if (changes.expectedCloseDate != null && !isDate(changes.expectedCloseDate)) throw new FieldError('expectedCloseDate', 'expectedCloseDate: expects a date YYYY-MM-DD');
  if (changes.contactId) {
    const contact = await em.findOne(Contact, { id: changes.contactId, clientId: current.clientId });
    if (!contact) throw new FieldError('contactId', "contactId: no such contact at the deal's client");
  }
  const keys = Object.keys(changes.custom ?? {});
  if (keys.length) {
    const defs = await em.find(DealField, { key: { $in: keys } });
    for (const key of keys) {
      const def = defs.find((d) => d.key === key);
      if (!def) throw new FieldError(`custom.${key}`, `custom.${key}: no such deal field`);
      checkCustom(def, changes.custom![key]);
    }
  }
}
