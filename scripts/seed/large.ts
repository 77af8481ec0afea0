/**
 * A realistic company for reads at scale, written with COPY: users in departments and sales groups under leads,
 * clients with contacts, deals across pipelines and stages with their history events and attachments' metadata.
 * Deals need no running workflow: every command starts the deal's workflow from its Postgres row.
 *
 * Speed: the secondary indexes of the loaded tables are dropped and rebuilt after the load (their definitions are read
 * from the database, so they follow the migrations), triggers and foreign-key checks are skipped when the role may set
 * session_replication_role (the board totals they keep are written here instead), and deal and event
 * rows stream to two COPYs at once while they are generated.
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { hashPassword } from '../../modules/accounts/secrets.ts';

export interface SeedSizes {
  users: number;
  clients: number;
  deals: number;
  /** contacts per client on average (1..2×avg-1) */
  contactsPerClient: number;
}
export const DEFAULT_SIZES: SeedSizes = { users: 2000, clients: 100_000, deals: 1_000_000, contactsPerClient: 2 };
export const SEED_PASSWORD = 'seed password 1234';
export const SEED_DOMAIN = 'seed.test';

export interface SeedResult {
  admin: string;
  lead: string;
  manager: string;
  /** every user's email starts with its role; all share SEED_PASSWORD */
  pipelines: { id: string; name: string; stages: { id: string; kind: string }[] }[];
  counts: Record<string, number>;
  seconds: number;
  /** seconds per phase: organisation, clients, deals, indexes, vacuum */
  phases: Record<string, number>;
}

type Progress = (table: string, done: number, total: number) => void;

/** mulberry32: the same seed gives the same company */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const FIRST = [
  'Anna',
  'Boris',
  'Clara',
  'Dmitry',
  'Elena',
  'Fedor',
  'Galina',
  'Hans',
  'Irina',
  'Jonas',
  'Ksenia',
  'Lars',
  'Maria',
  'Nikolai',
  'Olga',
  'Pavel',
  'Queenie',
  'Roman',
  'Sofia',
  'Timur',
  'Ulla',
  'Viktor',
  'Wanda',
  'Yuri',
  'Zoya',
];
const LAST = [
  'Ivanova',
  'Petrov',
  'Schmidt',
  'Kowalski',
  'Novak',
  'Smirnov',
  'Fischer',
  'Larsen',
  'Moreau',
  'Rossi',
  'Volkov',
  'Berg',
  'Kuznetsov',
  'Weber',
  'Lebedev',
  'Horvat',
  'Sokolov',
  'Meyer',
  'Popov',
  'Nilsson',
  'Orlov',
  'Keller',
];
const CO_A = [
  'Nord',
  'Alpha',
  'Blue',
  'Stone',
  'Silver',
  'River',
  'Polar',
  'Green',
  'Iron',
  'Sun',
  'Delta',
  'Oak',
  'Vector',
  'Baltic',
  'Ural',
  'Astra',
  'Terra',
  'Nova',
  'Prime',
  'Sigma',
  'Volga',
  'Arctic',
  'Crystal',
  'Falcon',
  'Granite',
];
const CO_B = [
  'wind',
  'line',
  'tech',
  'works',
  'field',
  'port',
  'soft',
  'trade',
  'build',
  'med',
  'logic',
  'point',
  'star',
  'gate',
  'way',
  'mark',
  'net',
  'food',
  'steel',
  'chem',
];
const CO_C = [
  'Logistics',
  'Systems',
  'Foods',
  'Retail',
  'Engineering',
  'Pharma',
  'Energy',
  'Consulting',
  'Textiles',
  'Motors',
  'Construction',
  'Media',
  'Agro',
  'Finance',
  'Telecom',
  'Packaging',
];
const CO_FORM = ['LLC', 'Ltd', 'GmbH', 'JSC', 'AB', 'S.A.', 'Inc'];
const DEAL_WHAT = [
  'Warehouse automation',
  'Annual service contract',
  'Fleet telematics',
  'ERP rollout',
  'Packaging line',
  'Office equipment',
  'Cold storage',
  'Security audit',
  'Cloud migration',
  'Spare parts supply',
  'Training programme',
  'Solar panels',
  'Forklift lease',
  'Data center racks',
  'Marketing campaign',
  'Catering contract',
  'Laboratory kit',
];
const LOST = ['Price too high', 'Chose a competitor', 'No budget this year', 'Project cancelled', 'No answer'];

const PIPELINES: { name: string; share: number; stages: [string, 'open' | 'won' | 'lost', number][] }[] = [
  // [stage, kind, share of the pipeline's deals]
  {
    name: 'Sales',
    share: 0.6,
    stages: [
      ['Lead', 'open', 0.18],
      ['Qualified', 'open', 0.14],
      ['Meeting', 'open', 0.12],
      ['Commercial proposal sent', 'open', 0.1],
      ['Negotiation', 'open', 0.08],
      ['Won', 'won', 0.2],
      ['Lost', 'lost', 0.18],
    ],
  },
  {
    name: 'Renewals',
    share: 0.25,
    stages: [
      ['Due', 'open', 0.2],
      ['Offer sent', 'open', 0.15],
      ['Signing', 'open', 0.1],
      ['Renewed', 'won', 0.4],
      ['Churned', 'lost', 0.15],
    ],
  },
  {
    name: 'Partners',
    share: 0.15,
    stages: [
      ['Sourced', 'open', 0.3],
      ['Pilot', 'open', 0.2],
      ['Contract', 'open', 0.1],
      ['Signed', 'won', 0.25],
      ['Dropped', 'lost', 0.15],
    ],
  },
];

/** COPY text format: tab-separated, \N for null, backslash escapes */
const esc = (v: string) =>
  v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
const col = (v: string | number | null | undefined) =>
  v === null || v === undefined ? '\\N' : typeof v === 'number' ? String(v) : esc(v);
const line = (cols: (string | number | null | undefined)[]) => cols.map(col).join('\t') + '\n';

class CopyWriter {
  private stream!: NodeJS.WritableStream & { on: (e: string, f: (...a: unknown[]) => void) => unknown };
  private done!: Promise<void>;
  private buf: string[] = [];
  private size = 0;
  rows = 0;
  constructor(
    private client: pg.Client,
    private sql: string,
  ) {}
  start() {
    const s = this.client.query(copyFrom(this.sql));
    this.stream = s;
    this.done = new Promise((resolve, reject) => {
      s.on('finish', () => resolve());
      s.on('error', reject);
    });
    return this;
  }
  async push(l: string) {
    this.buf.push(l);
    this.size += l.length;
    this.rows++;
    if (this.size > 1 << 20) await this.flush();
  }
  async flush() {
    if (!this.buf.length) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((r) => this.stream.once('drain', () => r()));
  }
  async end() {
    await this.flush();
    this.stream.end();
    await this.done;
  }
}

export async function seedLarge(
  databaseUrl: string,
  sizes: SeedSizes,
  opts: { seed?: number; progress?: Progress } = {},
): Promise<SeedResult> {
  const t0 = performance.now();
  const rnd = prng(opts.seed ?? Math.floor(Math.random() * 2 ** 31));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const uuid = (ms?: number) => {
    // random (v4); time-ordered (v7) when a time is given, so the primary key index is appended to, not scattered
    const b = new Array<string>(16);
    for (let i = 0; i < 16; i++) b[i] = HEX[Math.floor(rnd() * 256)];
    if (ms !== undefined) {
      const h = Math.floor(ms).toString(16).padStart(12, '0');
      for (let i = 0; i < 6; i++) b[i] = h.slice(i * 2, i * 2 + 2);
      b[6] = HEX[0x70 | (parseInt(b[6], 16) & 0x0f)];
    } else {
      b[6] = HEX[0x40 | (parseInt(b[6], 16) & 0x0f)];
    }
    b[8] = HEX[0x80 | (parseInt(b[8], 16) & 0x3f)];
    return `${b[0]}${b[1]}${b[2]}${b[3]}-${b[4]}${b[5]}-${b[6]}${b[7]}-${b[8]}${b[9]}-${b.slice(10).join('')}`;
  };
  const progress = opts.progress ?? (() => {});
  const phases: Record<string, number> = {};
  let lap = performance.now();
  const phase = (name: string) => {
    phases[name] = Math.round(performance.now() - lap) / 1000;
    lap = performance.now();
  };

  const clients: pg.Client[] = [];
  const connect = async () => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query("set maintenance_work_mem = '512MB'");
    try {
      await c.query('set session_replication_role = replica');
    } catch {
      /* not a superuser: triggers and foreign keys run, slower but the same data */
    }
    clients.push(c);
    return c;
  };
  const main = await connect();
  const second = await connect();
  const fast =
    (await main.query<{ r: string }>("select current_setting('session_replication_role') as r")).rows[0].r ===
    'replica';

  const LOADED = ['clients', 'contacts', 'deals', 'record_events', 'deal_attachments'];
  const indexes = (
    await main.query<{ name: string; def: string }>(
      `
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = current_schema() and i.tablename = any($1)
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
      [LOADED],
    )
  ).rows;
  try {
    for (const i of indexes) await main.query(`drop index if exists "${i.name}"`);

    // organisation: departments with a head, sales groups below with a lead, managers in the groups
    const passwordHash = await hashPassword(SEED_PASSWORD);
    const now = Date.now();
    const groupsN = Math.max(1, Math.round(sizes.users / 25));
    const deptsN = Math.max(1, Math.ceil(groupsN / 10));
    const managersN = Math.max(1, sizes.users - 1 - deptsN - groupsN);
    const users = new CopyWriter(
      main,
      'copy users (id, email, name, password_hash, role, department_id, locale) from stdin',
    ).start();
    const departments: string[] = [];
    const depts: { id: string; name: string; parent: string | null; lead: string }[] = [];
    const adminId = uuid();
    const userName = () => `${pick(FIRST)} ${pick(LAST)}`;
    await users.push(line([adminId, `admin@${SEED_DOMAIN}`, 'Ada Admin', passwordHash, 'admin', null, 'en']));
    const groups: { id: string; lead: string; managers: string[] }[] = [];
    for (let d = 0; d < deptsN; d++) {
      const id = uuid();
      const head = uuid();
      depts.push({ id, name: `Sales department ${d + 1}`, parent: null, lead: head });
      await users.push(
        line([head, `head-${d + 1}@${SEED_DOMAIN}`, userName(), passwordHash, 'lead', id, d % 3 === 0 ? 'ru' : 'en']),
      );
    }
    for (let g = 0; g < groupsN; g++) {
      const id = uuid();
      const lead = uuid();
      const dept = depts[g % deptsN];
      depts.push({ id, name: `Sales group ${g + 1}`, parent: dept.id, lead });
      await users.push(line([lead, `lead-${g + 1}@${SEED_DOMAIN}`, userName(), passwordHash, 'lead', id, 'en']));
      groups.push({ id, lead, managers: [] });
    }
    for (let m = 0; m < managersN; m++) {
      const id = uuid();
      const group = groups[m % groupsN];
      group.managers.push(id);
      await users.push(
        line([id, `manager-${m + 1}@${SEED_DOMAIN}`, userName(), passwordHash, 'manager', group.id, 'en']),
      );
    }
    await users.end();
    const deptRows = new CopyWriter(
      main,
      'copy departments (id, name, parent_id, is_sales_group, lead_id) from stdin',
    ).start();
    for (const d of depts) {
      departments.push(d.id);
      await deptRows.push(line([d.id, d.name, d.parent, d.parent ? 't' : 'f', d.lead]));
    }
    await deptRows.end();
    progress('users', users.rows, users.rows);
    phase('organisation');

    // pipelines and stages; "Commercial proposal sent" and later open stages require the amount
    const pipelines: SeedResult['pipelines'] = [];
    const stageRows: {
      id: string;
      pipeline: string;
      kind: 'open' | 'won' | 'lost';
      position: number;
      share: number;
    }[] = [];
    const maxPos = (await main.query<{ n: number }>('select coalesce(max(position), -1) + 1 as n from pipelines'))
      .rows[0].n;
    for (const [pi, p] of PIPELINES.entries()) {
      const id = uuid();
      await main.query('insert into pipelines (id, name, position) values ($1, $2, $3)', [id, p.name, maxPos + pi]);
      const stages: { id: string; kind: string }[] = [];
      for (const [position, [name, kind, share]] of p.stages.entries()) {
        const sid = uuid();
        const requires = position >= 3 && kind === 'open' ? ['amount'] : [];
        await main.query(
          'insert into stages (id, pipeline_id, name, position, kind, required_fields) values ($1, $2, $3, $4, $5, $6)',
          [sid, id, name, position, kind, JSON.stringify(requires)],
        );
        stages.push({ id: sid, kind });
        stageRows.push({ id: sid, pipeline: id, kind, position, share: share * p.share });
      }
      pipelines.push({ id, name: p.name, stages });
    }
    const firstStage = new Map(stageRows.filter((s) => s.position === 0).map((s) => [s.pipeline, s]));
    const stageAt = new Map(stageRows.map((s) => [`${s.pipeline}:${s.position}`, s]));
    const cumulative: number[] = [];
    stageRows.reduce((a, s) => {
      cumulative.push(a + s.share);
      return a + s.share;
    }, 0);
    const stageFor = (x: number) =>
      stageRows[
        Math.min(
          stageRows.length - 1,
          cumulative.findIndex((c) => x < c) === -1 ? stageRows.length - 1 : cumulative.findIndex((c) => x < c),
        )
      ];

    // clients and their contacts, owned by managers
    const allManagers = groups.flatMap((g) => g.managers);
    const clientCopy = new CopyWriter(
      main,
      'copy clients (id, name, tax_id, website, email, phone, address, owner_id, created_at, updated_at) from stdin',
    ).start();
    const contactCopy = new CopyWriter(
      second,
      'copy contacts (id, client_id, name, position, email, phone, created_at, updated_at) from stdin',
    ).start();
    interface C {
      id: string;
      owner: string;
      contacts: string[];
    }
    const cs: C[] = new Array<C>(sizes.clients);
    const phone = () =>
      `+${pick(['7', '49', '46', '33'])} ${int(100, 999)} ${int(100, 999)}-${int(10, 99)}-${int(10, 99)}`;
    for (let i = 0; i < sizes.clients; i++) {
      const id = uuid();
      const name = `${pick(CO_A)}${pick(CO_B)} ${pick(CO_C)} ${pick(CO_FORM)}${rnd() < 0.3 ? ` ${i + 1}` : ''}`;
      const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
      const taxId = String(int(1_000_000_000, 9_999_999_999));
      const email = `info@${slug}.example`;
      const tel = phone();
      const at = new Date(now - int(400, 1500) * 86_400_000).toISOString();
      const owner = allManagers[i % allManagers.length];
      await clientCopy.push(
        line([id, name, taxId, `https://${slug}.example`, email, tel, `${int(1, 200)} Main street`, owner, at, at]),
      );
      const contacts: C['contacts'] = [];
      const n = sizes.contactsPerClient <= 0 ? 0 : int(1, Math.max(1, sizes.contactsPerClient * 2 - 1));
      for (let k = 0; k < n; k++) {
        const cid = uuid();
        const cname = userName();
        const cmail = `${cname.toLowerCase().replace(' ', '.')}@${slug}.example`;
        const ctel = phone();
        await contactCopy.push(
          line([cid, id, cname, pick(['CEO', 'Buyer', 'CFO', 'Head of operations', null]), cmail, ctel, at, at]),
        );
        contacts.push(cid);
      }
      cs[i] = { id, owner, contacts };
      if (i % 5000 === 0) progress('clients', i, sizes.clients);
    }
    await Promise.all([clientCopy.end(), contactCopy.end()]);
    progress('clients', sizes.clients, sizes.clients);
    phase('clients');

    // deals, each with its history, and attachments' metadata for deals past the proposal
    const fileCopy = new CopyWriter(main, 'copy files (sha256, size) from stdin').start();
    const files: { sha: string; size: number }[] = [];
    for (let i = 0; i < 500; i++) {
      const sha = Array.from({ length: 32 }, () => HEX[Math.floor(rnd() * 256)]).join('');
      const size = int(20_000, 2_000_000);
      files.push({ sha, size });
      await fileCopy.push(line([sha, size]));
    }
    await fileCopy.end();

    const dealCopy = new CopyWriter(
      main,
      `copy deals (id, title, client_id, contact_id, owner_id, pipeline_id, stage_id, amount, currency,
      expected_close_date, custom, lost_reason, closed_at, created_at, updated_at, version) from stdin`,
    ).start();
    const eventCopy = new CopyWriter(
      second,
      `copy record_events (record_type, record_id, op_id, kind, actor_id, created_at, from_stage_id, to_stage_id, data)
      from stdin`,
    ).start();
    const attCopy = new CopyWriter(
      second,
      `copy deal_attachments (id, deal_id, document_kind_id, file_sha256, file_name, content_type, size,
      uploaded_by, created_at) from stdin`,
    );
    const attachments: string[] = [];
    const totals = new Map<string, { n: number; amount: number }>();
    const span = 3 * 365 * 86_400_000;
    for (let i = 0; i < sizes.deals; i++) {
      const client = cs[Math.floor(rnd() * cs.length)];
      const contact =
        client.contacts.length && rnd() < 0.8 ? client.contacts[Math.floor(rnd() * client.contacts.length)] : null;
      // most deals belong to the client's owner, some to a colleague in the same group
      const owner = rnd() < 0.85 ? client.owner : allManagers[Math.floor(rnd() * allManagers.length)];
      const stage = stageFor(rnd());
      // deals come in the order they were created, so their time-ordered ids (and their events') append to the indexes
      const created = now - span + Math.floor(((i + rnd()) * (span - 86_400_000)) / sizes.deals);
      const updated = Math.min(now - 1000, created + Math.floor(rnd() * 200 * 86_400_000));
      const id = uuid(created);
      const title =
        `${pick(DEAL_WHAT)} ${pick(['Q1', 'Q2', 'Q3', 'Q4', 'phase 2', 'pilot', 'extension', ''])}`.trim() +
        ` #${i + 1}`;
      const hasAmount = stage.position >= 3 || rnd() < 0.7;
      const currency = hasAmount ? (rnd() < 0.6 ? 'EUR' : rnd() < 0.6 ? 'USD' : 'RUB') : null;
      const amount = hasAmount ? int(5, 50_000) * 100 : null;
      const close = new Date(created + int(30, 240) * 86_400_000).toISOString().slice(0, 10);
      const closed = stage.kind === 'open' ? null : new Date(updated).toISOString();
      await dealCopy.push(
        line([
          id,
          title,
          client.id,
          contact,
          owner,
          stage.pipeline,
          stage.id,
          amount === null ? null : amount.toFixed(2),
          currency,
          close,
          '{}',
          stage.kind === 'lost' ? pick(LOST) : null,
          closed,
          new Date(created).toISOString(),
          new Date(updated).toISOString(),
          1 + stage.position,
        ]),
      );
      const key = `${stage.pipeline}\t${stage.id}\t${owner}\t${currency ?? ''}`;
      const cell = totals.get(key) ?? { n: 0, amount: 0 };
      cell.n++;
      cell.amount += amount ?? 0;
      totals.set(key, cell);
      // history: created in the first stage of the pipeline, then the move (or two) that brought it to the current one
      const first = firstStage.get(stage.pipeline)!;
      await eventCopy.push(
        line(['deal', id, null, 'created', owner, new Date(created).toISOString(), null, first.id, '{}']),
      );
      const path =
        stage.position === 0
          ? []
          : stage.position > 2 && rnd() < 0.5
            ? [stageAt.get(`${stage.pipeline}:2`)!, stage]
            : [stage];
      let from = first.id;
      for (const [k, s] of path.entries()) {
        const at = created + Math.floor(((updated - created) * (k + 1)) / path.length);
        await eventCopy.push(
          line(['deal', id, null, 'stage_changed', owner, new Date(at).toISOString(), from, s.id, '{}']),
        );
        from = s.id;
      }
      if (stage.position >= 3 && rnd() < 0.6) {
        const f = files[Math.floor(rnd() * files.length)];
        attachments.push(
          line([
            uuid(updated),
            id,
            null,
            f.sha,
            `Proposal ${i + 1}.pdf`,
            'application/pdf',
            f.size,
            owner,
            new Date(updated).toISOString(),
          ]),
        );
      }
      if (i % 10_000 === 0) progress('deals', i, sizes.deals);
    }
    await Promise.all([dealCopy.end(), eventCopy.end()]);
    attCopy.start();
    for (const a of attachments) await attCopy.push(a);
    await attCopy.end();
    progress('deals', sizes.deals, sizes.deals);

    if (fast) {
      // the triggers did not run: the board totals they keep are added here, and the access epoch moves on
      const tot = new CopyWriter(
        main,
        'copy deal_board_totals_seed (pipeline_id, stage_id, owner_id, currency, deals, amount) from stdin',
      );
      await main.query('create temporary table deal_board_totals_seed (like deal_board_totals including defaults)');
      tot.start();
      for (const [k, v] of totals) await tot.push(`${k}\t${v.n}\t${v.amount.toFixed(2)}\n`);
      await tot.end();
      await main.query(`insert into deal_board_totals as t select * from deal_board_totals_seed
        on conflict (pipeline_id, stage_id, owner_id, currency, slot) do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount`);
      await main.query('drop table deal_board_totals_seed');
      await main.query(`insert into deal_board_rollup as t (pipeline_id, stage_id, currency, slot, deals, amount)
        select pipeline_id, stage_id, currency, 0, sum(deals), sum(amount) from deal_board_totals group by 1, 2, 3
        on conflict (pipeline_id, stage_id, currency, slot) do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount`);
      await main.query('update access_epoch set epoch = epoch + 1');
    }
    phase('deals');
    progress('indexes', 0, indexes.length);
    // rebuild the indexes two at a time, one per connection (the GIN trigram index takes longest)
    const queue = [...indexes].sort((a, b) => Number(/using gin/i.test(b.def)) - Number(/using gin/i.test(a.def)));
    let built = 0;
    await Promise.all(
      [main, second].map(async (c) => {
        for (let i = queue.shift(); i; i = queue.shift()) {
          await c.query(i.def);
          progress('indexes', ++built, indexes.length);
        }
      }),
    );
    indexes.length = 0;
    phase('indexes');
    progress('vacuum', 0, 1);
    await Promise.all([
      main.query('vacuum (analyze) deals'),
      second
        .query('vacuum (analyze) record_events')
        .then(() =>
          second.query('vacuum (analyze) clients, contacts, deal_attachments, deal_board_totals, users, departments'),
        ),
    ]);
    progress('vacuum', 1, 1);
    phase('vacuum');

    const g0 = groups.find((g) => g.managers.length) ?? groups[0];
    const counts: Record<string, number> = {};
    for (const t of ['users', 'departments', 'clients', 'contacts', 'deals', 'record_events', 'deal_attachments']) {
      counts[t] = Number(
        (await main.query<{ n: string }>(`select reltuples::bigint as n from pg_class where relname = $1`, [t])).rows[0]
          .n,
      );
    }
    const email = async (id: string) =>
      (await main.query<{ email: string }>('select email from users where id = $1', [id])).rows[0].email;
    return {
      admin: `admin@${SEED_DOMAIN}`,
      lead: await email(g0.lead),
      manager: await email(g0.managers[0]),
      pipelines,
      counts,
      seconds: (performance.now() - t0) / 1000,
      phases,
    };
  } finally {
    // if the load failed midway, put back whatever index was dropped
    for (const i of indexes)
      await main.query(i.def.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS ')).catch(() => {});
    for (const c of clients) await c.end().catch(() => {});
  }
}
