/**
 * Publishing regulations: the server compiles the BPMN XML (bpmn/compile.ts) and refuses it with every problem named
 * by its element (422 REGULATION_INVALID, details.problems — the modeler shows them as markers), or stores it as the
 * next immutable version of its key. Publishing the same file again returns the version it already is.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { compileBpmn } from '../../bpmn/compile.ts';
import type { CompiledGraph } from '../../bpmn/graph.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { formsOf } from './forms.ts';

export interface RegulationVersion {
  id: string;
  key: string;
  version: number;
  name: string;
  checksum: string;
  publishedBy: string | null;
  publishedAt: string;
  inputs: CompiledGraph['inputs'];
  outputs: CompiledGraph['outputs'];
}

const SELECT = `select id, key, version, name, checksum, published_by as "publishedBy", published_at as "publishedAt",
  graph->'inputs' as inputs, graph->'outputs' as outputs from regulations`;
const view = (r: RegulationVersion): RegulationVersion => ({
  ...r,
  publishedAt: new Date(r.publishedAt).toISOString(),
});

export async function publishRegulation(em: EntityManager, actorId: string, xml: string): Promise<RegulationVersion> {
  const compiled = await compileBpmn(xml);
  // the task forms embedded in the file (modules/regulations/forms.ts), checked with the diagram
  const embedded =
    'problems' in compiled && compiled.problems.some((p) => p.elementId === null) ? null : await formsOf(xml);
  const problems = [...('problems' in compiled ? compiled.problems : []), ...(embedded?.problems ?? [])];
  if ('problems' in compiled || problems.length) {
    throw new DomainError('REGULATION_INVALID', problems[0].message, { problems });
  }
  const { graph } = compiled;
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/.test(graph.processId)) {
    throw new DomainError('REGULATION_INVALID', 'The process id must be a short identifier', {
      problems: [
        { elementId: graph.processId, code: 'BPMN_INVALID_ID', message: 'The process id must be a short identifier' },
      ],
    });
  }
  const checksum = createHash('sha256').update(xml).digest('hex');
  const id = await em.transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext<object>();
    // publishes of one key queue here, so versions are numbered without gaps or races
    await conn.execute('select pg_advisory_xact_lock(hashtextextended(?, 2))', [graph.processId], 'all', ctx);
    const [latest] = await conn.execute<{ id: string; version: number; checksum: string }[]>(
      `select id, version, checksum from regulations where key = ? order by version desc limit 1`,
      [graph.processId],
      'all',
      ctx,
    );
    if (latest?.checksum === checksum) return latest.id;
    const newId = randomUUID();
    await conn.execute(
      `insert into regulations (id, key, version, name, xml, graph, checksum, published_by, forms)
       values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?::jsonb)`,
      [
        newId,
        graph.processId,
        (latest?.version ?? 0) + 1,
        graph.name,
        xml,
        JSON.stringify(graph),
        checksum,
        actorId,
        JSON.stringify(embedded?.forms ?? {}),
      ],
      'all',
      ctx,
    );
    return newId;
  });
  const [row] = await em.getConnection().execute<RegulationVersion[]>(`${SELECT} where id = ?`, [id]);
  return view(row);
}

/** The latest version of every regulation, by name. */
export async function listRegulations(em: EntityManager): Promise<RegulationVersion[]> {
  const rows = await em.getConnection().execute<
    RegulationVersion[]
  >(`${SELECT} r where version = (select max(version) from regulations x where x.key = r.key)
      order by name, key`);
  return rows.map(view);
}

export async function regulationVersions(em: EntityManager, key: string): Promise<RegulationVersion[]> {
  const rows = await em
    .getConnection()
    .execute<RegulationVersion[]>(`${SELECT} where key = ? order by version desc`, [key]);
  if (!rows.length) throw notFound('Regulation');
  return rows.map(view);
}

/** One version ('latest' or a number) with its XML and graph. */
export async function regulationVersion(
  em: EntityManager,
  key: string,
  version: number | 'latest',
): Promise<RegulationVersion & { xml: string; graph: CompiledGraph }> {
  const [row] = await em.getConnection().execute<(RegulationVersion & { xml: string; graph: CompiledGraph })[]>(
    `select id, key, version, name, checksum, published_by as "publishedBy", published_at as "publishedAt",
         graph->'inputs' as inputs, graph->'outputs' as outputs, xml, graph
       from regulations where key = ? ${version === 'latest' ? '' : 'and version = ?'} order by version desc limit 1`,
    version === 'latest' ? [key] : [key, version],
  );
  if (!row) throw notFound('Regulation');
  return { ...row, publishedAt: new Date(row.publishedAt).toISOString() };
}

/** Compiled graphs by version id: a published version never changes, so its graph is read from Postgres once. */
const graphs = new Map<string, CompiledGraph>();
const GRAPHS_KEPT = 200;

/**
 * What a start needs of a version ('latest' or a number): its id, key and compiled graph, without the XML. The
 * version is looked up every time (a publish makes a new latest); its graph is kept in memory by id.
 */
export async function regulationGraph(
  em: EntityManager,
  key: string,
  version: number | 'latest',
): Promise<{ id: string; key: string; version: number; graph: CompiledGraph }> {
  const [row] = await em.getConnection().execute<{ id: string; key: string; version: number }[]>(
    `select id, key, version from regulations where key = ? ${version === 'latest' ? '' : 'and version = ?'}
         order by version desc limit 1`,
    version === 'latest' ? [key] : [key, version],
  );
  if (!row) throw notFound('Regulation');
  let graph = graphs.get(row.id);
  if (!graph) {
    const [g] = await em
      .getConnection()
      .execute<{ graph: CompiledGraph }[]>(`select graph from regulations where id = ?`, [row.id]);
    graph = g.graph;
    if (graphs.size >= GRAPHS_KEPT) graphs.delete(graphs.keys().next().value!);
    graphs.set(row.id, graph);
  }
  return { ...row, graph };
}
