/**
 * Names an administrator gives (pipelines, stages, document kinds, fields, select options) in other languages,
 * one way for every record: a `translations` map per record, `{ ru: { name: 'Продажи' } }` (fields: `label`, and
 * `options` by option). The name the record was defined with is the fallback in every language.
 */
export const TRANSLATED_LOCALES = ['ru'] as const;
export type Translations<K extends string = 'name'> = { [locale: string]: { [key in K]?: string } | undefined };

/** A record's name (or label) in a language, falling back to the one it was defined with. */
export function translated<K extends string>(
  record: { translations?: Translations<K> | null } & { [key in K]: string },
  key: K,
  locale: string,
): string {
  return record.translations?.[locale]?.[key] || record[key];
}
