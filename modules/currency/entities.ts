import { defineEntity, p } from '@mikro-orm/core';

/** The one currency the company counts in (one row, or none while not set). */
export const CompanyCurrency = defineEntity({
  name: 'CompanyCurrency',
  tableName: 'company_currency',
  properties: {
    id: p.boolean().primary(),
    currency: p.string().length(3),
    version: p.integer().version(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

/** One unit of `currency` in the company currency. */
export const CurrencyRate = defineEntity({
  name: 'CurrencyRate',
  tableName: 'currency_rates',
  properties: {
    currency: p.string().length(3).primary(),
    rate: p.decimal('string'),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
