/**
 * Money in the company currency, pure and exact: amounts are decimal strings with up to 2 places, rates decimal strings
 * with up to 8 (one unit of a currency in the company currency). Integer arithmetic on BigInt, rounded half up to the
 * cent, so a column's total is the same on the server and in the browser (which imports this file). No imports.
 */

export interface Money {
  currency: string;
  amount: string;
}

/** A column's totals in the company currency. */
export interface CompanyTotal {
  currency: string;
  /** the sum of every total that could be converted */
  amount: string;
  /** amount × the stage's win probability; null when the stage has none */
  weighted: string | null;
  /** totals in currencies without a rate (and deals without a currency): shown apart, never dropped */
  unconverted: Money[];
}

export const CURRENCY_CODE = /^[A-Z]{3}$/;
export const RATE = /^(?:0|[1-9]\d{0,14})(?:\.\d{1,8})?$/;
const RATE_SCALE = 100_000_000n;

function scaled(s: string, places: number): bigint {
  const neg = s.startsWith('-');
  const [whole, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const n = BigInt(whole || '0') * 10n ** BigInt(places) + BigInt((frac + '0'.repeat(places)).slice(0, places) || '0');
  return neg ? -n : n;
}
const cents = (s: string) => scaled(s, 2);

/** n / d rounded half away from zero (d > 0) */
function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

export function decimalOfCents(n: bigint): string {
  const a = n < 0n ? -n : n;
  return `${n < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** An amount in another currency, in the company currency at `rate` (a unit of it in the company currency). */
export function convert(amount: string, rate: string): string {
  return decimalOfCents(divRound(cents(amount) * scaled(rate, 8), RATE_SCALE));
}

/** An amount weighted by a win probability in whole percent (0–100). */
export function weigh(amount: string, probability: number): string {
  return decimalOfCents(divRound(cents(amount) * BigInt(Math.round(probability)), 100n));
}

/**
 * A column's totals (one per currency; '' for deals without a currency) as one total in the company currency: the
 * company currency as it is, others at their rate, those without a rate kept apart; weighted by the probability.
 */
export function companyTotal(
  totals: Money[],
  company: string,
  rates: Readonly<Record<string, string>>,
  probability: number | null,
): CompanyTotal {
  let sum = 0n;
  const unconverted: Money[] = [];
  for (const t of totals) {
    if (t.currency === company) sum += cents(t.amount);
    else if (t.currency && rates[t.currency] !== undefined) sum += cents(convert(t.amount, rates[t.currency]));
    else if (cents(t.amount) !== 0n || t.currency) unconverted.push({ currency: t.currency, amount: t.amount });
  }
  const amount = decimalOfCents(sum);
  return {
    currency: company,
    amount,
    weighted: probability === null ? null : weigh(amount, probability),
    unconverted: unconverted
      .filter((u) => cents(u.amount) !== 0n)
      .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0)),
  };
}

/** Totals added up per currency, by currency. */
export function addTotals(list: Money[]): Money[] {
  const by = new Map<string, bigint>();
  for (const m of list) by.set(m.currency, (by.get(m.currency) ?? 0n) + cents(m.amount));
  return [...by]
    .filter(([, n]) => n !== 0n)
    .map(([currency, n]) => ({ currency, amount: decimalOfCents(n) }))
    .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
}

/** Company totals (e.g. a manager's stages) added up: weighted is the sum of those that have one, null if none has. */
export function addCompanyTotals(company: string, list: CompanyTotal[]): CompanyTotal {
  const weighted = list.filter((c) => c.weighted !== null);
  return {
    currency: company,
    amount: decimalOfCents(list.reduce((a, c) => a + cents(c.amount), 0n)),
    weighted: weighted.length ? decimalOfCents(weighted.reduce((a, c) => a + cents(c.weighted!), 0n)) : null,
    unconverted: addTotals(list.flatMap((c) => c.unconverted)),
  };
}

/** The first thing wrong with a company currency and its rates, or null. */
export interface Rate {
  currency: string;
  rate: string;
}

export function ratesProblem(company: string, rates: Rate[]): string | null {
  if (!CURRENCY_CODE.test(company)) return `currency: "${company}" is not an ISO 4217 code such as EUR`;
  const seen = new Set<string>();
  for (const [i, r] of rates.entries()) {
    if (!CURRENCY_CODE.test(r.currency)) return `rates[${i}].currency: "${r.currency}" is not an ISO 4217 code`;
    if (r.currency === company) return `rates[${i}].currency: ${company} is the company currency; its rate is 1`;
    if (seen.has(r.currency)) return `rates[${i}].currency: ${r.currency} is listed twice`;
    seen.add(r.currency);
    if (!RATE.test(r.rate) || scaled(r.rate, 8) <= 0n)
      return `rates[${i}].rate: a positive decimal with up to 8 places, e.g. 92.5`;
  }
  return null;
}
