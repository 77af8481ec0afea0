/**
 * i18n on i18next with ICU messages (i18next-icu): plural rules per language ("1 сделка, 2 сделки, 5 сделок"),
 * select, and number/date formats inside messages. Both catalogs are bundled (they are small); `t` is typed by key.
 */
import i18next, { type i18n as I18nInstance } from 'i18next';
import ICU from 'i18next-icu';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { en, type MessageKey } from './en.js';
import { ru } from './ru.js';
import type { Locale } from '../api.js';
import { localizedName, type Named } from './localized-name.js';

export type { MessageKey };
export { localizedName, type Named };
export const catalogs: Record<Locale, Record<MessageKey, string>> = { en, ru };
export const LOCALES: Locale[] = ['en', 'ru'];
export const intlTag = (l: Locale) => (l === 'ru' ? 'ru-RU' : 'en-US');

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

const instance: I18nInstance = i18next.createInstance();
void instance.use(ICU).init({
  lng: 'en',
  fallbackLng: 'en',
  resources: { en: { translation: en }, ru: { translation: ru } },
  // keys contain dots ('board.title') and are flat: no nesting, no namespaces separators
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});
export const i18n = instance;

export interface I18n {
  locale: Locale;
  t: T;
  /** an amount in its currency; whole amounts without decimals unless `exact` (then always the currency's decimals) */
  money: (
    amount: string | number | null | undefined,
    currency: string | null | undefined,
    opts?: { exact?: boolean },
  ) => string;
  date: (iso: string | null | undefined) => string;
  dateTime: (iso: string | null | undefined) => string;
  number: (n: number) => string;
  /** the name an admin gave a pipeline, stage, document kind, field or option, in the user's language */
  name: (record: Named) => string;
  /** @deprecated use `name(record)`: a label in the user's language, the Russian variant when there is one */
  pick: (en: string, ruText?: string | null) => string;
}

export function makeI18n(locale: Locale): I18n {
  const fixed = instance.getFixedT(locale);
  const tag = intlTag(locale);
  const t: T = (key, vars) => String(fixed(key, vars ?? {}));
  const money = (
    amount: string | number | null | undefined,
    currency: string | null | undefined,
    opts?: { exact?: boolean },
  ) => {
    if (amount === null || amount === undefined || amount === '') return '';
    const n = typeof amount === 'number' ? amount : Number(amount);
    if (!Number.isFinite(n)) return String(amount);
    try {
      const digits: Intl.NumberFormatOptions = opts?.exact
        ? currency
          ? {}
          : { minimumFractionDigits: 2, maximumFractionDigits: 2 }
        : { maximumFractionDigits: n % 1 === 0 ? 0 : 2 };
      return new Intl.NumberFormat(tag, {
        style: currency ? 'currency' : 'decimal',
        currency: currency ?? undefined,
        ...digits,
      }).format(n);
    } catch {
      return `${new Intl.NumberFormat(tag).format(n)} ${currency ?? ''}`.trim();
    }
  };
  const date = (iso: string | null | undefined) => {
    if (!iso) return '';
    const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00`) : new Date(iso);
    return Number.isNaN(d.getTime())
      ? iso
      : new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', year: 'numeric' }).format(d);
  };
  const dateTime = (iso: string | null | undefined) => {
    if (!iso) return '';
    const d = new Date(iso);
    return Number.isNaN(d.getTime())
      ? iso
      : new Intl.DateTimeFormat(tag, {
          day: 'numeric',
          month: 'short',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
        }).format(d);
  };
  const number = (n: number) => new Intl.NumberFormat(tag).format(n);
  const name = (record: Named) => localizedName(record, locale);
  const pick = (enText: string, ruText?: string | null) =>
    localizedName({ name: enText, translations: ruText ? { ru: { name: ruText } } : null }, locale);
  return { locale, t, money, date, dateTime, number, name, pick };
}

const I18nContext = createContext<I18n>(makeI18n('en'));

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const value = useMemo(() => makeI18n(locale), [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = () => useContext(I18nContext);

const STORAGE_KEY = 'dealflow.locale';
export function storedLocale(): Locale {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'en' || v === 'ru') return v;
  } catch {
    /* private mode */
  }
  return navigator.language?.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}
export function storeLocale(l: Locale) {
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    /* ignore */
  }
}
