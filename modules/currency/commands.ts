import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/index.ts';
import { DomainError, versionConflict } from '../shared/errors.ts';
import { currencySettings, type CurrencySettings } from './queries.ts';
import { ratesProblem, type Rate } from './rules.ts';

export interface CurrencyInput {
  currency: string;
  rates: Rate[];
  /** the version the administrator saw (0: never set) */
  version: number;
}

export interface Actor {
  id: string;
  email?: string | null;
  ip?: string | null;
}

/**
 * Sets the company currency and the whole list of rates, if nobody changed them since `version` (else 409). One
 * transaction: the settings row locked first, the rates replaced, the change audited with what was before.
 */
export async function setCurrencies(em: EntityManager, input: CurrencyInput, actor: Actor): Promise<CurrencySettings> {
  const problem = ratesProblem(input.currency, input.rates);
  if (problem) throw new DomainError('INVALID_CURRENCY_RATES', problem, { field: problem.split(':')[0] });
  return em.transactional(async (tem) => {
    const exec = <T>(sql: string, params: unknown[] = []) =>
      tem.getConnection().execute<T[]>(sql, params, 'all', tem.getTransactionContext());
    // one row or none: an advisory lock queues first-time writers too, the row's version answers who was first
    await exec('select pg_advisory_xact_lock(hashtextextended(?, 7))', ['company_currency']);
    const before = await currencySettings(tem);
    if (before.version !== input.version) throw versionConflict('The currency settings', before.version);
    await exec(
      `insert into company_currency (id, currency, version, updated_at) values (true, ?, 1, now())
       on conflict (id) do update set currency = excluded.currency, version = company_currency.version + 1,
         updated_at = now()`,
      [input.currency],
    );
    await exec('delete from currency_rates');
    if (input.rates.length) {
      await exec(
        `insert into currency_rates (currency, rate)
         select * from unnest(?::text[], ?::numeric[])`,
        [`{${input.rates.map((r) => r.currency).join(',')}}`, `{${input.rates.map((r) => r.rate).join(',')}}`],
      );
    }
    const after = await currencySettings(tem);
    await recordAudit(tem, {
      kind: 'currency.changed',
      actorId: actor.id,
      actorEmail: actor.email ?? null,
      ip: actor.ip ?? null,
      subjectType: 'currency',
      subjectId: after.currency,
      details: {
        before: { currency: before.currency, rates: before.rates },
        after: { currency: after.currency, rates: after.rates },
      },
    });
    return after;
  });
}
