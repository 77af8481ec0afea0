import { useCallback } from 'react';
import { useI18n, type MessageKey } from './i18n/index.js';
import { useRefData } from './session.js';

export const CURRENCIES = ['EUR', 'USD', 'RUB', 'GBP', 'CHF', 'CNY', 'KZT', 'BYN', 'AED', 'TRY', 'JPY', 'INR'];
export const BUILT_IN_KEYS = ['amount', 'expectedCloseDate', 'contactId'] as const;
const BUILT_IN_MSG: Record<string, MessageKey> = {
  amount: 'field.amount',
  expectedCloseDate: 'field.expectedCloseDate',
  contactId: 'field.contact',
  title: 'field.title',
  currency: 'field.currency',
};

/** names an administrator gave, in other languages: { ru: { name } } (fields: label, and options by option) */
export type Translations = { ru?: { name?: string; label?: string; options?: Record<string, string> } };

type Named = { translations?: Translations } & ({ name: string } | { label: string });

/**
 * The one way the web app reads a name an administrator gave (pipeline, stage, document kind, field, option): in the
 * user's language when the record has a translation, else as it was defined.
 */
export function useNameOf() {
  const { name } = useI18n();
  return useCallback((record: Named) => name(record), [name]);
}

/** A select option's name in the user's language. */
export function useOptionName() {
  const { pick } = useI18n();
  return useCallback(
    (field: { translations?: Translations } | undefined, option: string) =>
      pick(option, field?.translations?.ru?.options?.[option] ?? null),
    [pick],
  );
}

/** Labels in the user's language for deal fields and document kinds, falling back to what the server sent. */
export function useLabels() {
  const { t } = useI18n();
  const nameOf = useNameOf();
  const { dealFields, documentKinds } = useRefData();
  const fieldLabel = useCallback(
    (key: string, fallback?: string) => {
      const m = BUILT_IN_MSG[key];
      if (m) return t(m);
      const f = dealFields.find((x) => x.key === key);
      return f ? nameOf(f) : (fallback ?? key);
    },
    [t, nameOf, dealFields],
  );
  const kindName = useCallback(
    (id: string | null | undefined, fallback?: string) => {
      const k = documentKinds.find((x) => x.id === id);
      return k ? nameOf(k) : (fallback ?? '');
    },
    [nameOf, documentKinds],
  );
  const optionName = useOptionName();
  return { fieldLabel, kindName, optionName };
}

export const DECIMAL = /^\d{1,16}(\.\d{1,2})?$/;

/** Totals per currency as the server computed them, largest first, formatted, e.g. "€12,000 · $3,500". */
export function formatTotals(
  totals: { currency: string; amount: string }[],
  money: (a: string, c: string) => string,
): string {
  return [...totals]
    .sort((a, b) => Number(b.amount) - Number(a.amount) || a.currency.localeCompare(b.currency))
    .map((x) => money(x.amount, x.currency))
    .join(' · ');
}
