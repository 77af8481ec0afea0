import type { EntityManager } from '@mikro-orm/postgresql';
import { DealField } from '../pipelines/entities.ts';
import { Contact } from '../clients/entities.ts';
import type { DealChanges } from '../deals/gate.ts';
import { CURRENCY, DECIMAL, fieldValueProblem, isDate } from './types.ts';

export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export { DEAL_FIELD_TYPES } from './deal-fields.ts';

/**
 * Checks a set of changes against the deal it applies to and the admin's field definitions.
 * current: the deal's amount/currency/client before the change.
 */
export async function validateChanges(
  em: EntityManager,
  changes: DealChanges,
  current: { clientId: string; amount: string | null; currency: string | null },
): Promise<void> {
  if (changes.amount != null && !DECIMAL.test(changes.amount))
    throw new FieldError('amount', 'amount: expects a non-negative decimal with up to 2 places');
  if (changes.currency != null && !CURRENCY.test(changes.currency))
    throw new FieldError('currency', 'currency: expects an ISO 4217 code such as EUR');
  const amount = changes.amount !== undefined ? changes.amount : current.amount;
  const currency = changes.currency !== undefined ? changes.currency : current.currency;
  if ((amount === null) !== (currency === null))
    throw new FieldError('currency', 'amount and currency go together: set both or neither');
  if (changes.expectedCloseDate != null && !isDate(changes.expectedCloseDate))
    throw new FieldError('expectedCloseDate', 'expectedCloseDate: expects a date YYYY-MM-DD');
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
      const problem = fieldValueProblem(def, changes.custom![key]);
      if (problem) throw new FieldError(`custom.${def.key}`, `${def.key}: ${problem}`);
    }
  }
}
