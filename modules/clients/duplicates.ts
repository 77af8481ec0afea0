/**
 * How a new client is compared with existing ones to warn of duplicates: simple normalised equality per field.
 * Pure; the same normalisations are written as SQL in DUPLICATE_SQL so Postgres finds the candidates.
 */

export type DuplicateField = 'name' | 'taxId' | 'email' | 'phone';
export interface DuplicateProbe {
  name?: string | null;
  taxId?: string | null;
  email?: string | null;
  phone?: string | null;
}

/** whitespace, ASCII punctuation and the quotes and dashes company names are written with */
const NAME_NOISE = /[\s!-/:-@[-`{-~«»„“”‘’—–№]+/g;

/** Case, spaces, punctuation and quotes do not tell companies apart: "ООО «Ромашка»" is "ооо ромашка". */
export const normaliseName = (v: string) => v.toLowerCase().replace(NAME_NOISE, '');
/** Tax ids are compared on their letters and digits, upper case. */
export const normaliseTaxId = (v: string) => v.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
export const normaliseEmail = (v: string) => v.trim().toLowerCase();
/** Phones are compared on their last 10 digits (country codes and trunk prefixes differ); fewer than 6 digits is no phone. */
export const normalisePhone = (v: string) => {
  const digits = v.replace(/\D/g, '');
  return digits.length >= 6 ? digits.slice(-10) : '';
};

const NORMALISE: Record<DuplicateField, (v: string) => string> = {
  name: normaliseName,
  taxId: normaliseTaxId,
  email: normaliseEmail,
  phone: normalisePhone,
};
export const DUPLICATE_FIELDS = Object.keys(NORMALISE) as DuplicateField[];

/** The probe's fields in normalised form; empty ones are left out (nothing to compare). */
export function normaliseProbe(probe: DuplicateProbe): Partial<Record<DuplicateField, string>> {
  const out: Partial<Record<DuplicateField, string>> = {};
  for (const f of DUPLICATE_FIELDS) {
    const v = probe[f];
    const n = v ? NORMALISE[f](v) : '';
    if (n) out[f] = n;
  }
  return out;
}

/** On which fields an existing client matches the probe, in a fixed order; empty when it does not. */
export function matchedOn(existing: DuplicateProbe, probe: DuplicateProbe): DuplicateField[] {
  const p = normaliseProbe(probe);
  const e = normaliseProbe(existing);
  return DUPLICATE_FIELDS.filter((f) => p[f] !== undefined && p[f] === e[f]);
}

/** The same normalisations in SQL, per column of a clients row aliased c. */
export const DUPLICATE_SQL: Record<DuplicateField, string> = {
  name: `regexp_replace(lower(c.name), '[[:space:][:punct:]«»„“”‘’—–№]+', '', 'g')`,
  taxId: `upper(regexp_replace(coalesce(c.tax_id, ''), '[^0-9A-Za-z]', '', 'g'))`,
  email: `lower(trim(coalesce(c.email, '')))`,
  phone: `right(regexp_replace(coalesce(c.phone, ''), '[^0-9]', '', 'g'), 10)`,
};
