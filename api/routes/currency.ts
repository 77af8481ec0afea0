import { z } from 'zod';
import { setCurrencies } from '../../modules/currency/commands.ts';
import { currencySettings } from '../../modules/currency/queries.ts';
import { CURRENCY_CODE, RATE } from '../../modules/currency/rules.ts';
import { route, type RouteSpec } from '../http.ts';
import { clientAddress } from './auth.ts';

const code = z.string().regex(CURRENCY_CODE, 'an ISO 4217 code such as EUR');
const settingsSchema = z
  .object({
    currency: z.string().nullable().describe('the company currency; null while not set'),
    rates: z.array(z.object({ currency: z.string(), rate: z.string() })),
    version: z.number().int().describe('0 while never set; send it back with a change'),
  })
  .meta({ id: 'CurrencySettings' });

export const currencyRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/currency-rates',
    operationId: 'getCurrencyRates',
    summary: 'The company currency and the exchange rates board totals are converted at',
    tag: 'Currency',
    access: 'user',
    response: settingsSchema,
    handler: ({ em }) => currencySettings(em),
  }),
  route({
    method: 'put',
    path: '/currency-rates',
    operationId: 'setCurrencyRates',
    summary:
      'Set the company currency and the whole list of exchange rates (one unit of each currency in the company ' +
      'currency); audited. 409 when they changed since the version you saw',
    tag: 'Currency',
    access: 'admin',
    errors: [409, 422],
    body: z.strictObject({
      currency: code,
      rates: z
        .array(
          z.strictObject({
            currency: code,
            rate: z.string().regex(RATE, 'a positive decimal with up to 8 places, e.g. 92.5'),
          }),
        )
        .max(200),
      version: z.number().int().min(0).describe('the version you saw (0: never set)'),
    }),
    response: settingsSchema,
    handler: ({ em, body, user, req }) =>
      setCurrencies(em, body, { id: user.id, email: user.email, ip: clientAddress(req) }),
  }),
];
