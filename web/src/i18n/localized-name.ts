/**
 * The ONE place that reads a name an administrator gave (pipelines, stages, document kinds, deal fields, select
 * options) in the user's language. Today records carry `name`/`label` and a Russian variant `nameRu`/`labelRu`;
 * they are moving to a per-record map `translations: { ru: { name: '…' } }`: that swap happens here only.
 */
import type { Locale } from '../api.js';

export interface Named {
  name?: string | null;
  label?: string | null;
  nameRu?: string | null;
  labelRu?: string | null;
  translations?: Partial<Record<string, { name?: string | null; label?: string | null }>> | null;
}

export function localizedName(record: Named | string, lang: Locale): string {
  if (typeof record === 'string') return record;
  const base = record.name ?? record.label ?? '';
  const tr = record.translations?.[lang];
  const translated = tr?.name ?? tr?.label ?? (lang === 'ru' ? record.nameRu ?? record.labelRu : null);
  return translated && translated.trim() ? translated : base;
}
