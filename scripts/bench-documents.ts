/**
 * `npm run bench -- --documents [N]` (default 100,000): full-text search over N catalog documents through
 * GET /api/v1/documents?q=, on real Postgres, beside a baseline measured in the same run (GET /api/v1/health, the
 * HTTP floor) and a folder's page (no search). Documents are seeded with SQL: a title, tags and ~80 words of text
 * each, drawn with a skewed distribution from sales words in English and Russian and a long tail of rare terms, so
 * that a query may match half the documents or a handful; access is a mix of everyone (70%), one department (20%)
 * and private (10%), and the searches run as a manager of that department (the access condition applies) and as an
 * administrator, in turns, request by request.
 */
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { benchServices, flagCount } from './bench-services.ts';
import { fixtures, login, type Session } from '../test/support/harness.ts';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 60);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

// the most frequent first: a word at position k is drawn about (1/k)^2 as often as the first
const WORDS = [
  'client',
  'договор',
  'price',
  'поставка',
  'discount',
  'скидка',
  'contract',
  'оборудование',
  'delivery',
  'клиент',
  'approval',
  'согласование',
  'invoice',
  'счёт',
  'warranty',
  'гарантия',
  'proposal',
  'предложение',
  'regulation',
  'регламент',
  'partner',
  'партнёр',
  'wholesale',
  'опт',
  'quarter',
  'квартал',
  'director',
  'директор',
  'tender',
  'тендер',
  'turbine',
  'турбина',
  'compressor',
  'компрессор',
  'logistics',
  'логистика',
  'payment',
  'оплата',
];

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

type Request = () => Promise<{ status: number; body: unknown }>;

/**
 * Times requests of one kind or several taken in turns (a manager's search, then the administrator's, and so on), so
 * that the load of a shared machine, which drifts over a run, weighs on each alike.
 */
async function measureInTurns(runs: { name: string; fn: Request }[]) {
  for (const r of runs) for (let i = 0; i < 5; i++) await r.fn(); // warm-up
  const out = runs.map((r) => ({ name: r.name, ms: [] as number[], failed: 0 }));
  for (let i = 0; i < ITERATIONS; i++) {
    for (const [k, r] of runs.entries()) {
      let res: { status: number; body: unknown } = { status: 0, body: null };
      out[k].ms.push(await time(async () => (res = await r.fn())));
      if (res.status !== 200) {
        out[k].failed++;
        if (out[k].failed === 1) console.warn(`${r.name}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
  }
  for (const o of out) o.ms.sort((a, b) => a - b);
  return out;
}

const measure = async (name: string, fn: Request) => (await measureInTurns([{ name, fn }]))[0];

export async function benchDocuments(argv: string[]) {
  const n = flagCount(argv, '--documents', 100_000);
  const { h, close } = await benchServices();
  try {
    const f = fixtures(h);
    const dept = await f.department('Sales');
    const owners = await Promise.all(Array.from({ length: 20 }, () => f.user('manager', { departmentId: dept.id })));
    const viewer = owners[0];
    const admin = await f.user('admin');
    // seeding takes longer than the app's statement timeout: its own connection, without one
    const client = new pg.Client({ connectionString: h.databaseUrl });
    await client.connect();
    const db = {
      execute: async <T = unknown>(sql: string, params: unknown[] = []) => {
        let k = 0;
        return (
          await client.query(
            sql.replace(/\?/g, () => `$${++k}`),
            params,
          )
        ).rows as T;
      },
    };
    const seeded = performance.now();
    const sha = 'b'.repeat(64);
    await db.execute(`insert into files (sha256, size) values (?, 1000)`, [sha]);
    const folder = randomUUID();
    await db.execute(`insert into document_folders (id, name, owner_id, eff_owner_id) values (?, 'Bench', ?, ?)`, [
      folder,
      viewer.id,
      viewer.id,
    ]);
    const words = `{${WORDS.join(',')}}`;
    const ownerIds = `{${owners.map((o) => o.id).join(',')}}`;
    // in batches of 10,000: each document draws its words in a subquery tied to its row (g) and to the word (k)
    for (let from = 1; from <= n; from += 10_000) {
      const to = Math.min(n, from + 9_999);
      await db.execute(
        `with w as (select ?::text[] as words, ?::uuid[] as owners),
         docs as (
           select gen_random_uuid() as id, g, w.owners[1 + (g % array_length(w.owners, 1))] as owner_id,
             (select string_agg(case when random() < 0.6
                       then w.words[1 + 0 * k + floor(array_length(w.words, 1) * power(random(), 2))::int]
                       else 'term' || floor(random() * 200000)::int end, ' ')
                from generate_series(1, 80) k where k > 0 * g) as body,
             (select string_agg(w.words[1 + 0 * k + floor(array_length(w.words, 1) * random())::int], ' ')
                from generate_series(1, 4) k where k > 0 * g) as title,
             random() as r
           from generate_series(?::int, ?::int) g, w
         )
         insert into documents (id, folder_id, title, tags, owner_id, access_kind, access_department_id,
           eff_kind, eff_department_id, eff_owner_id, body_text, updated_at)
         select id, case when g % 10 = 0 then ?::uuid else null end, title || ' ' || g,
           array['tag' || (g % 50)], owner_id,
           case when r < 0.7 then 'everyone' when r < 0.9 then 'department' else 'private' end,
           case when r >= 0.7 and r < 0.9 then ?::uuid end,
           case when r < 0.7 then 'everyone' when r < 0.9 then 'department' else 'private' end,
           case when r >= 0.7 and r < 0.9 then ?::uuid end,
           owner_id, body, now() - make_interval(secs => g)
         from docs`,
        [words, ownerIds, from, to, folder, dept.id, dept.id],
      );
      await db.execute(
        `insert into document_versions (id, document_id, number, file_sha256, file_name, content_type, size,
           uploaded_by, text_status)
         select gen_random_uuid(), d.id, 1, ?, 'bench.pdf', 'application/pdf', 1000, d.owner_id, 'done'
         from documents d where not exists (select 1 from document_versions v where v.document_id = d.id)`,
        [sha],
      );
    }
    await db.execute('vacuum analyze documents');
    await db.execute('vacuum analyze document_versions');
    const seedSecs = (performance.now() - seeded) / 1000;
    const count = async (q: string) =>
      Number(
        (
          await db.execute<{ n: string }[]>(
            `select count(*) as n from documents where search @@ websearch_to_tsquery('russian', ?)`,
            [q],
          )
        )[0].n,
      );
    const sessions: [string, Session][] = [
      ['manager', await login(h, viewer.email)],
      ['admin', await login(h, admin.email)],
    ];
    const queries = [
      'client', // the most frequent word
      'договоры', // Russian, stemmed to договор
      'approval', // a middle one
      'turbine compressor', // two words, both rarer
      'payments', // the rarest of the words, stemmed
      'term12345', // a handful of documents
      'nothingmatches', // none
    ];
    const rows: { name: string; ms: number[]; failed: number; matches?: number }[] = [];
    const counts = new Map<string, number>();
    for (const q of queries) counts.set(q, await count(q));
    await client.end();
    const s0 = sessions[0][1];
    rows.push(await measure('baseline: GET /health', () => s0.request('GET', '/health')));
    rows.push(
      await measure(`folder page (manager)`, () => s0.request('GET', `/documents?folderId=${folder}&limit=50`)),
    );
    // each query as the manager and as the administrator in turns; the table lists the manager's rows first
    const byWho = new Map(sessions.map(([who]) => [who, [] as typeof rows]));
    for (const q of queries) {
      const measured = await measureInTurns(
        sessions.map(([who, s]) => ({
          name: `search "${q}" (${who})`,
          fn: () => s.request('GET', `/documents?q=${encodeURIComponent(q)}&limit=20`),
        })),
      );
      for (const [k, [who]] of sessions.entries()) byWho.get(who)!.push({ ...measured[k], matches: counts.get(q) });
    }
    for (const list of byWho.values()) rows.push(...list);
    console.log(
      `\nDocument search over ${n} documents (seeded in ${seedSecs.toFixed(0)} s), ${ITERATIONS} requests each, ms`,
    );
    console.log(
      `| ${'request'.padEnd(40)} | matches | failed | ${'p50'.padStart(6)} | ${'p95'.padStart(6)} | ${'p99'.padStart(6)} |`,
    );
    console.log(`|${'-'.repeat(42)}|---------|--------|--------|--------|--------|`);
    for (const r of rows) {
      console.log(
        `| ${r.name.padEnd(40)} | ${String(r.matches ?? '').padStart(7)} | ${String(r.failed).padStart(6)} | ${pct(r.ms, 0.5).toFixed(1).padStart(6)} | ${pct(r.ms, 0.95).toFixed(1).padStart(6)} | ${pct(r.ms, 0.99).toFixed(1).padStart(6)} |`,
      );
    }
    const worst = Math.max(...rows.filter((r) => r.name.startsWith('search')).map((r) => pct(r.ms, 0.95)));
    console.log(
      `\nworst search p95: ${worst.toFixed(1)} ms (target ≤ 100 ms); baseline p95 ${pct(rows[0].ms, 0.95).toFixed(1)} ms`,
    );
  } finally {
    await close();
  }
}
