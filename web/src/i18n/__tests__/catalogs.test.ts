/**
 * The English and Russian message catalogs of the web app: the same keys, the same ICU arguments, every key used by
 * the app and every key the app uses present, Russian plurals with all their forms, and the agreed terms.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../en.ts';
import { ru } from '../ru.ts';
import { loadCatalog, makeI18n } from '../index.tsx';

type El = { type: number; value?: string; options?: Record<string, { value: El[] }> };
/** argument names of an ICU message ({name}, {n, plural, …}, {kind, select, …}), recursively */
function args(msg: string, locale: string): string[] {
  const out = new Set<string>();
  const walk = (els: El[]) => {
    for (const e of els) {
      if (e.type !== 0 && e.type !== 7 && e.value) out.add(e.value);
      for (const o of Object.values(e.options ?? {})) walk(o.value);
    }
  };
  walk(new IntlMessageFormat(msg, locale).getAst());
  return [...out].sort();
}

const SRC = path.resolve(import.meta.dirname, '..', '..');
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'i18n' || e.name === '__tests__' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('i18n catalogs', () => {
  beforeAll(() => Promise.all([loadCatalog('en'), loadCatalog('ru')]));

  it('have identical key sets', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });

  it('are valid ICU messages with no empty text and the same arguments in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe('');
      expect(ru[key].trim(), key).not.toBe('');
      expect(args(ru[key], 'ru'), key).toEqual(args(en[key], 'en'));
    }
  });

  it('give Russian plurals all their forms (one, few, many)', () => {
    for (const [key, msg] of Object.entries(ru)) {
      if (!/,\s*plural\s*,/.test(msg)) continue;
      for (const form of ['one', 'few', 'many', 'other'])
        expect(msg, `${key}: ${form}`).toMatch(new RegExp(`\\b${form}\\s*\\{`));
    }
    const { t } = makeI18n('ru');
    expect([1, 2, 5, 21, 111].map((count) => t('board.dealCount', { count }))).toEqual([
      '1 сделка',
      '2 сделки',
      '5 сделок',
      '21 сделка',
      '111 сделок',
    ]);
    expect([1, 2].map((count) => makeI18n('en').t('board.dealCount', { count }))).toEqual(['1 deal', '2 deals']);
  });

  it('hold every key the app uses, and nothing it does not use', () => {
    const code = sources(SRC)
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    const used = new Set([...code.matchAll(/['"`]([a-z][a-zA-Z]*\.[a-zA-Z0-9_.]+)['"`]/g)].map((m) => m[1]));
    // keys built at run time: t(`role.${user.role}`)
    const prefixes = [...code.matchAll(/`([a-z][a-zA-Z.]*\.)\$\{/g)].map((m) => m[1]);
    const known = new Set(Object.keys(en));
    const unused = [...known].filter((k) => !used.has(k) && !prefixes.some((p) => k.startsWith(p)));
    expect(unused, 'keys no code uses').toEqual([]);
    // every t('…') / i18nKey literal in the code exists in the catalog
    const asked = [...code.matchAll(/\bt\(\s*'([^']+)'/g)].map((m) => m[1]);
    expect(
      asked.filter((k) => !known.has(k)),
      'keys missing from the catalogs',
    ).toEqual([]);
  });

  it('use the agreed Russian terms', () => {
    const all = Object.values(ru).join('\n');
    for (const term of [
      'Сделка',
      'Воронка',
      'Стадия',
      'Клиент',
      'Контакт',
      'Коммерческое предложение',
      'Обязательные поля стадии',
      'Подразделение',
      'Руководитель группы',
    ]) {
      expect(all.toLowerCase(), term).toContain(term.toLowerCase());
    }
  });
});
