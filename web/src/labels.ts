import { useCallback } from 'react';
import { useI18n, type MessageKey } from './i18n/index.js';
import { useRefData } from './session.js';

export const CURRENCIES = ['EUR', 'USD', 'RUB', 'GBP', 'CHF', 'CNY', 'KZT', 'BYN', 'AED', 'TRY', 'JPY', 'INR'];
export const BUILT_IN_KEYS = ['amount', 'expectedCloseDate', 'contactId'] as const;
const BUILT_IN_MSG: Record<string, MessageKey> = {
  amount: 'field.amount', expectedCloseDate: 'field.expectedCloseDate', contactId: 'field.contact',
  title: 'field.title', currency: 'field.currency',
};

/** Labels in the user's language for deal fields and document kinds, falling back to what the server sent. */
export function useLabels() {
  const { t, pick } = useI18n();
  const { dealFields, documentKinds } = useRefData();
  const fieldLabel = useCallback((key: string, fallback?: string) => {
    const m = BUILT_IN_MSG[key];
    if (m) return t(m);
    const f = dealFields.find((x) => x.key === key);
    return f ? pick(f.label, f.labelRu) : (fallback ?? key);
  }, [t, pick, dealFields]);
  const kindName = useCallback((id: string | null | undefined, fallback?: string) => {
    const k = documentKinds.find((x) => x.id === id);
    return k ? pick(k.name, k.nameRu) : (fallback ?? '');
  }, [pick, documentKinds]);
  return { fieldLabel, kindName };
}

export const DECIMAL = /^\d{1,16}(\.\d{1,2})?$/;
export const normalizeAmount = (s: string) => s.replace(/[\s\u00a0']/g, '').replace(',', '.');

/** Totals per currency as the server computed them, largest first, formatted, e.g. "€12,000 · $3,500". */
export function formatTotals(totals: { currency: string; amount: string }[], money: (a: string, c: string) => string): string {
  return [...totals].sort((a, b) => Number(b.amount) - Number(a.amount) || a.currency.localeCompare(b.currency))
    .map((x) => money(x.amount, x.currency)).join(' · ');
}
