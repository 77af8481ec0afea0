/**
 * i18n with ICU messages (intl-messageformat, compiled at build: icu-format.ts): plural rules per language ("1 сделка,
 * 2 сделки, 5 сделок"), select, and number/date formats inside messages. Each catalog is its own chunk: only the
 * user's language is loaded (asked for at boot, beside the session); `t` is typed by key. A key missing from the
 * language's catalog is read from the English one when that is loaded, else shown as the key itself.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { formatMessage } from './icu-format.js';
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { MessageKey } from './en.js';
import type { Locale } from '../api.js';
import { localizedName, type Named } from './localized-name.js';
import { loadLateMessages } from './late.js';
import { LOCALE_KEY, storedLocale } from './stored-locale.js';

export { storedLocale };

export type { MessageKey };
export { localizedName, type Named };
export const LOCALES: Locale[] = ['en', 'ru'];
export const intlTag = (l: Locale) => (l === 'ru' ? 'ru-RU' : 'en-US');

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

const loading = new Map<Locale, Promise<void>>();
const loadedCatalogs = new Map<Locale, Record<string, string>>();
const CATALOGS: Record<Locale, () => Promise<Record<MessageKey, string>>> = {
  en: () => import('./en.js').then((m) => m.en),
  ru: () => import('./ru.js').then((m) => m.ru),
};
/** Loads a language's catalog once (a failed load is tried again on the next call). */
export function loadCatalog(locale: Locale): Promise<void> {
  let p = loading.get(locale);
  if (!p) {
    p = CATALOGS[locale]()
      .then((catalog) => {
        // a copy: the late pages' messages are added to it
        if (!loadedCatalogs.has(locale)) loadedCatalogs.set(locale, { ...catalog });
        if (lateWanted) return lateOf(locale);
      })
      .catch((e: unknown) => {
        loading.delete(locale);
        throw e;
      });
    loading.set(locale, p);
  }
  return p;
}
const isLoaded = (locale: Locale) => loadedCatalogs.has(locale);

/** Once a page that loads late has been asked for, each language's catalog comes with the late messages too. */
let lateWanted = false;
const lateLoading = new Map<Locale, Promise<void>>();
function lateOf(locale: Locale): Promise<void> {
  let p = lateLoading.get(locale);
  if (!p) {
    p = loadLateMessages(locale).then(
      (messages) => {
        Object.assign(loadedCatalogs.get(locale)!, messages);
      },
      (e: unknown) => {
        lateLoading.delete(locale);
        throw e;
      },
    );
    lateLoading.set(locale, p);
  }
  return p;
}
/** Brings the late pages' messages (late-prefixes.ts) into every catalog asked for; their chunks wait for it. */
export function loadLateCatalogs(): Promise<void> {
  lateWanted = true;
  return Promise.all([...loading.entries()].map(([l, p]) => p.then(() => lateOf(l)))).then(() => undefined);
}
/** A late page's chunk, resolved when its messages are there too. */
export const withLateMessages = <M,>(page: Promise<M>): Promise<M> =>
  Promise.all([page, loadLateCatalogs()]).then(([m]) => m);

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

/** Intl formatters are costly to make (a board draws hundreds of amounts): one per language and options, kept. */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(tag: string, opts: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `n|${tag}|${JSON.stringify(opts)}`;
  let f = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(tag, opts)));
  return f;
}
function dateFormat(tag: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${tag}|${JSON.stringify(opts)}`;
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(tag, opts)));
  return f;
}
// IntlMessageFormat resolves its locale anew for every message it is made for, through Intl's supportedLocalesOf
// (slow: its first call lists every locale the browser has). The app's two languages are supported everywhere, so
// theirs is their own tag, as supportedLocalesOf would answer; another is resolved as IntlMessageFormat does.
const resolveLocale = IntlMessageFormat.resolveLocale;
const resolved = new Map<string, ReturnType<typeof resolveLocale>>();
const KNOWN_TAGS = new Set<string>([...LOCALES, ...LOCALES.map(intlTag)]);
IntlMessageFormat.resolveLocale = (locales) => {
  const key = String(locales);
  if (!resolved.has(key))
    resolved.set(
      key,
      KNOWN_TAGS.has(key) && typeof Intl.Locale === 'function' ? new Intl.Locale(key) : resolveLocale(locales),
    );
  return resolved.get(key);
};

export function makeI18n(locale: Locale): I18n {
  const tag = intlTag(locale);
  const catalog = loadedCatalogs.get(locale);
  const t: T = (key, vars) => {
    const res = catalog?.[key];
    if (res !== undefined) return formatMessage(res, vars ?? {}, locale, key);
    const fallback = loadedCatalogs.get('en')?.[key];
    return fallback !== undefined ? formatMessage(fallback, vars ?? {}, 'en', key) : key;
  };
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
      return numberFormat(tag, {
        style: currency ? 'currency' : 'decimal',
        currency: currency ?? undefined,
        ...digits,
      }).format(n);
    } catch {
      return `${numberFormat(tag).format(n)} ${currency ?? ''}`.trim();
    }
  };
  const date = (iso: string | null | undefined) => {
    if (!iso) return '';
    const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00`) : new Date(iso);
    return Number.isNaN(d.getTime())
      ? iso
      : dateFormat(tag, { day: 'numeric', month: 'short', year: 'numeric' }).format(d);
  };
  const dateTime = (iso: string | null | undefined) => {
    if (!iso) return '';
    const d = new Date(iso);
    return Number.isNaN(d.getTime())
      ? iso
      : dateFormat(tag, {
          day: 'numeric',
          month: 'short',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
        }).format(d);
  };
  const number = (n: number) => numberFormat(tag).format(n);
  const name = (record: Named) => localizedName(record, locale);
  const pick = (enText: string, ruText?: string | null) =>
    localizedName({ name: enText, translations: ruText ? { ru: { name: ruText } } : null }, locale);
  return { locale, t, money, date, dateTime, number, name, pick };
}

const I18nContext = createContext<I18n>(makeI18n('en'));

/**
 * The app in the user's language. Until the first catalog has arrived nothing is drawn (it was asked for at boot,
 * beside the session); on a change of language the page stays in the old one until the new catalog is there.
 */
export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const [shown, setShown] = useState<Locale | null>(() => (isLoaded(locale) ? locale : null));
  useEffect(() => {
    if (shown === locale) return;
    let live = true;
    const load = (l: Locale, attempt: number): Promise<void> =>
      loadCatalog(l).then(
        () => {
          if (live) setShown(l);
        },
        // offline or a new deployment: tried again a little later, the English catalog as a last resort
        () =>
          new Promise<void>((r) => setTimeout(r, 1000 * attempt)).then(() =>
            live ? load(attempt >= 2 && l !== 'en' ? 'en' : l, attempt + 1) : undefined,
          ),
      );
    void load(locale, 1);
    return () => {
      live = false;
    };
  }, [locale, shown]);
  const value = useMemo(() => (shown ? makeI18n(shown) : null), [shown]);
  if (!value) return null;
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = () => useContext(I18nContext);

export function storeLocale(l: Locale) {
  try {
    localStorage.setItem(LOCALE_KEY, l);
  } catch {
    /* ignore */
  }
}
