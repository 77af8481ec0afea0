/**
 * The ONE place that reads a name an administrator gave (pipelines, stages, document kinds, deal fields, select
 * options) in the user's language, from the record's map `translations: { ru: { name: '…' } }` (fields: `label`),
 * else as it was defined.
 */
import type { Locale } from '../api.js';

export interface Named {
  name?: string | null;
  label?: string | null;
  translations?: { [lang: string]: { name?: string | null; label?: string | null } | undefined } | null;
}

export function localizedName(record: Named | string, lang: Locale): string {
  if (typeof record === 'string') return record;
  const base = record.name ?? record.label ?? '';
  const tr = record.translations?.[lang];
  const translated = tr?.name ?? tr?.label;
  return translated && translated.trim() ? translated : base;
}
