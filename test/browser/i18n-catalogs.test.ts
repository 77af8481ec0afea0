/** The English and Russian message catalogs of the web app have the same keys and the same placeholders. */
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.ts';
import { ru } from '../../web/src/i18n/ru.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n catalogs', () => {
  it('have identical key sets', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty messages and the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe('');
      expect(ru[key].trim(), key).not.toBe('');
      expect(placeholders(ru[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('use the agreed Russian terms', () => {
    const all = Object.values(ru).join('\n');
    for (const term of ['Сделка', 'Воронка', 'Стадия', 'Клиент', 'Контакт', 'Коммерческое предложение', 'Обязательные поля стадии', 'Подразделение', 'Руководитель группы']) {
      expect(all.toLowerCase(), term).toContain(term.toLowerCase());
    }
  });
});
