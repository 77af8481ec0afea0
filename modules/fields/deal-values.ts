import type { EntityManager } from '@mikro-orm/postgresql';
import { DealField } from '../pipelines/entities.ts';
import { Client, Contact } from '../clients/entities.ts';
import { User } from '../accounts/entities.ts';
import { DealAttachment } from '../deals/entities.ts';
import { canSee, type Viewer } from '../access/visibility.ts';
import type { DealChanges } from '../deals/gate.ts';
import { CURRENCY, DECIMAL, fieldValueProblem, isDate } from './types.ts';
import { referenceProblem, referencesToCheck, type Found, type ReferenceToCheck } from './references.ts';

export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export { DEAL_FIELD_TYPES } from './deal-fields.ts';

/** Who writes, and to which deal: what user, client and file values are checked against. */
export interface ReferenceScope {
  viewer: Viewer;
  /** null for a deal being created: it has no attachments yet */
  dealId: string | null;
}

/** Looks up what a user, client or file value names (see references.ts for the rules). */
async function lookUp(em: EntityManager, ref: ReferenceToCheck, scope: ReferenceScope): Promise<Found | null> {
  switch (ref.type) {
    case 'user': {
      const u = await em.findOne(User, { id: ref.id }, { fields: ['id', 'disabledAt'] });
      return u ? { type: 'user', active: !u.disabledAt } : null;
    }
    case 'client': {
      const c = await em.findOne(Client, { id: ref.id }, { fields: ['id', 'ownerId'] });
      return c ? { type: 'client', visible: await canSee(em, scope.viewer, 'client', c) } : null;
    }
    case 'file': {
      const a = scope.dealId
        ? await em.findOne(DealAttachment, { id: ref.id, dealId: scope.dealId }, { fields: ['id'] })
        : null;
      return a ? { type: 'file', attachedHere: true } : null;
    }
  }
}

/**
 * Checks a set of changes against the deal it applies to and the admin's field definitions.
 * current: the deal's amount/currency/client and custom values before the change; scope: who writes to which deal,
 * for user, client and file values.
 */
export async function validateChanges(
  em: EntityManager,
  changes: DealChanges,
  current: {
    clientId: string;
    amount: string | null;
    currency: string | null;
    custom?: Record<string, unknown>;
  },
  scope?: ReferenceScope,
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
    const refs = referencesToCheck(defs, changes.custom!, current.custom ?? {});
    if (refs.length && !scope) throw new Error('validateChanges: user, client and file values need a scope');
    for (const ref of refs) {
      const problem = referenceProblem(ref.type, await lookUp(em, ref, scope!));
      if (problem) throw new FieldError(`custom.${ref.key}`, `${ref.key}: ${problem}`);
    }
  }
}
