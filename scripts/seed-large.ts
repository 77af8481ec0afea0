/**
 * `npm run seed:large -- [--deals 1000000] [--clients 100000] [--users 2000] [--contacts 2] [--seed N] [--migrate]`
 * fills the database of DATABASE_URL with a realistic company (scripts/seed/large.ts), with a progress bar.
 * Meant for an empty, migrated database (--migrate runs the migrations first); every user's password is printed.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { initORM } from '../server/orm.ts';
import { DEFAULT_SIZES, SEED_PASSWORD, seedLarge } from './seed/large.ts';

const { values } = parseArgs({
  options: {
    deals: { type: 'string' },
    clients: { type: 'string' },
    users: { type: 'string' },
    contacts: { type: 'string' },
    seed: { type: 'string' },
    migrate: { type: 'boolean' },
  },
});
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('Set DATABASE_URL to the database to fill (e.g. postgres://postgres@127.0.0.1:5432/dealflow_large)');
  process.exit(2);
}
const num = (v: string | undefined, d: number) => {
  if (v === undefined) return d;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a count: ${v}`);
  return n;
};
const sizes = {
  deals: num(values.deals, DEFAULT_SIZES.deals),
  clients: num(values.clients, DEFAULT_SIZES.clients),
  users: num(values.users, DEFAULT_SIZES.users),
  contactsPerClient: num(values.contacts, DEFAULT_SIZES.contactsPerClient),
};
if (values.migrate) await (await initORM(url, { migrate: true })).close();

const bars = new cliProgress.MultiBar(
  {
    format: ' {table} |{bar}| {percentage}% {value}/{total} {duration_formatted}',
    hideCursor: true,
    clearOnComplete: false,
    noTTYOutput: true,
    notTTYSchedule: 5000,
  },
  cliProgress.Presets.shades_classic,
);
const open = new Map<string, cliProgress.SingleBar>();
const result = await seedLarge(url, sizes, {
  seed: values.seed ? Number(values.seed) : undefined,
  progress: (table, done, total) => {
    let bar = open.get(table);
    if (!bar) open.set(table, (bar = bars.create(Math.max(total, 1), 0, { table: table.padEnd(8) })));
    bar.setTotal(Math.max(total, 1));
    bar.update(done, { table: table.padEnd(8) });
  },
});
bars.stop();
console.log(`\nSeeded in ${result.seconds.toFixed(1)} s (per phase: ${JSON.stringify(result.phases)}):`, result.counts);
console.log(
  `Log in as ${result.admin} (admin), ${result.lead} (lead), ${result.manager} (manager); password "${SEED_PASSWORD}"`,
);
