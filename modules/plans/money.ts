/**
 * Plan and payment amounts in the company currency: a line in another currency converts at the rate in force on its
 * date (currency_rate_days, kept by a trigger whenever an administrator sets rates); before the first recorded day,
 * at the first rate known.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { convert } from '../currency/rules.ts';

export interface Currencies {
  company: string | null;
  /** per currency with a rate: its rates by day, oldest first */
  byDay: Record<string, { day: string; rate: string }[]>;
}

export async function loadCurrencies(em: EntityManager): Promise<Currencies> {
  const run = <T>(sql: string) => em.getConnection().execute<T[]>(sql, [], 'all', em.getTransactionContext());
  const [company] = await run<{ currency: string }>('select currency from company_currency');
  const rows = await run<{ currency: string; day: string; rate: string }>(
    `select d.currency, d.day::text as day, d.rate::text as rate from currency_rate_days d
      where d.currency in (select currency from currency_rates) order by d.currency, d.day`,
  );
  const byDay: Currencies['byDay'] = {};
  for (const r of rows) (byDay[r.currency.trim()] ??= []).push({ day: r.day, rate: r.rate });
  return { company: company?.currency ?? null, byDay };
}

/** The rate of a currency on a date: the last set on or before it, else the first one known. Pure. */
export function rateOn(c: Currencies, currency: string, date: string): string | null {
  const days = c.byDay[currency];
  if (!days?.length) return null;
  let found = days[0].rate;
  for (const d of days) {
    if (d.day <= date) found = d.rate;
    else break;
  }
  return found;
}

/** Each amount in the company currency at the rate of its date (the caller checked the currencies). Pure. */
export function baseAmounts(
  c: Currencies,
  lines: readonly { amount: string; currency: string; expectedOn: string }[],
): string[] {
  return lines.map((l) => {
    if (l.currency === c.company) return convert(l.amount, '1');
    const rate = rateOn(c, l.currency, l.expectedOn);
    if (rate === null) throw new Error(`no rate for ${l.currency}`);
    return convert(l.amount, rate);
  });
}
