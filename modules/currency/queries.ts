import type { EntityManager } from '@mikro-orm/postgresql';

export interface CurrencySettings {
  /** the company currency; null while an administrator has not set it */
  currency: string | null;
  /** one unit of each currency in the company currency, by currency code */
  rates: { currency: string; rate: string }[];
  /** 0 while never set; send it back with a change */
  version: number;
}

/** A rate as text without trailing zeros: 92.50000000 → 92.5, 100.00000000 → 100 */
export const RATE_TEXT = "trim(trailing '.' from trim(trailing '0' from rate::text))";

/** The company currency and the current rates (two small reads). */
export async function currencySettings(em: EntityManager): Promise<CurrencySettings> {
  const run = <T>(sql: string) => em.getConnection().execute<T[]>(sql, [], 'all', em.getTransactionContext());
  const [company] = await run<{ currency: string; version: number }>('select currency, version from company_currency');
  const rates = await run<{ currency: string; rate: string }>(
    `select currency, ${RATE_TEXT} as rate from currency_rates order by currency`,
  );
  return {
    currency: company?.currency ?? null,
    rates: rates.map((r) => ({ currency: r.currency, rate: r.rate })),
    version: company ? Number(company.version) : 0,
  };
}
