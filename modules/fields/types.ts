/**
 * Field definitions and value validation, for every record with admin-defined fields: deals now, plan lines and
 * regulation forms next. Pure, without imports, so the workflow bundle may use it too.
 */

export const FIELD_TYPES = ['text', 'number', 'money', 'date', 'select', 'user', 'client', 'file'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Names in other languages: `{ ru: { label: 'Источник', options: { Website: 'Сайт' } } }`. */
export interface FieldTranslations {
  [locale: string]: { label?: string; options?: Record<string, string> } | undefined;
}

export interface FieldDefinition {
  key: string;
  label: string;
  type: FieldType;
  /** the choices of a select field */
  options?: readonly string[];
  translations?: FieldTranslations;
}

export type MoneyValue = { amount: string; currency: string };
export type FieldValueOf<T extends FieldType> = T extends 'number' ? number : T extends 'money' ? MoneyValue : string;

/*
 * The formats of values, in one place: the API's schemas and the validation below use these.
 */
/** a non-negative decimal with up to 16 digits before and 2 after the point (numeric(18,2)) */
export const DECIMAL = /^\d{1,16}(\.\d{1,2})?$/;
/** an ISO 4217 currency code */
export const CURRENCY = /^[A-Z]{3}$/;
/** YYYY-MM-DD with a year from 1000 to 9999: Postgres refuses year 0, and 5-digit years are not dates the app shows */
export const DATE = /^[1-9]\d{3}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TEXT_MAX = 5000;

/** A calendar date YYYY-MM-DD (the day exists) in the years 1000–9999. */
export const isDate = (v: string) =>
  DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/**
 * What is wrong with a value for a field, or null when it fits. null (no value) always fits: whether a value is
 * required is the stage gate's business. user, client and file values are ids; whether they exist is checked by
 * the caller against the database.
 */
export function fieldValueProblem(def: Pick<FieldDefinition, 'type' | 'options'>, value: unknown): string | null {
  if (value === null) return null;
  switch (def.type) {
    case 'text':
      return typeof value === 'string' && value.length <= TEXT_MAX ? null : `expects text up to ${TEXT_MAX} characters`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'expects a number';
    case 'date':
      return typeof value === 'string' && isDate(value) ? null : 'expects a date YYYY-MM-DD';
    case 'select':
      return typeof value === 'string' && (def.options ?? []).includes(value)
        ? null
        : `expects one of: ${(def.options ?? []).join(', ')}`;
    case 'money': {
      const m = value as { amount?: unknown; currency?: unknown };
      const ok =
        typeof m === 'object' &&
        typeof m.amount === 'string' &&
        DECIMAL.test(m.amount) &&
        typeof m.currency === 'string' &&
        CURRENCY.test(m.currency) &&
        Object.keys(m).length === 2;
      return ok ? null : 'expects {"amount": "123.45", "currency": "EUR"}';
    }
    case 'user':
    case 'client':
    case 'file':
      return typeof value === 'string' && UUID.test(value) ? null : `expects the id of a ${def.type}`;
  }
}

/** What is wrong with a field's options for its type, or null. */
export function fieldOptionsProblem(type: string, options: readonly string[] | undefined): string | null {
  if (type === 'select') {
    if (!options?.length) return 'options: a select field needs at least one option';
    const seen = new Set<string>();
    for (const o of options) {
      if (seen.has(o)) return `options: "${o}" is listed twice`;
      seen.add(o);
    }
    return null;
  }
  return options?.length ? `options: only a select field has options, not a ${type} field` : null;
}

/** A field's label in a language, falling back to the label it was defined with. */
export const fieldLabel = (def: Pick<FieldDefinition, 'label' | 'translations'>, locale: string) =>
  def.translations?.[locale]?.label || def.label;
