import type { EntityManager } from '@mikro-orm/postgresql';
import { visibilitySql } from '../access/visibility.ts';
import { accessSql } from './commands.ts';
import type { DocumentViewer } from './access.ts';
import { headlineParts } from './file-types.ts';

const run = <T = Record<string, unknown>>(em: EntityManager, sql: string, params: unknown[] = []) =>
  em.getConnection().execute<T[]>(sql, params);

interface AccessCols {
  access_kind: string;
  access_department_id: string | null;
  access_role: string | null;
  eff_kind: string;
  eff_department_id: string | null;
  eff_role: string | null;
}
interface FolderRow extends AccessCols {
  id: string;
  parent_id: string | null;
  name: string;
  owner_id: string;
  owner_name: string;
  version: number;
}
interface SummaryRow {
  id: string;
  folder_id: string | null;
  title: string;
  kind: string;
  tags: string[];
  owner_id: string;
  owner_name: string;
  current_version: number;
  updated_at: Date;
  deleted_at: Date | null;
  version: number;
  file_name: string;
  content_type: string;
  size: string | number;
  version_id: string;
  text_status: string;
}
interface VersionRow {
  id: string;
  number: number;
  file_name: string;
  content_type: string;
  size: string | number;
  file_sha256: string;
  uploaded_by: string;
  uploader_name: string;
  text_status: string;
  created_at: Date;
}

const accessView = (r: AccessCols) => ({
  kind: r.access_kind,
  departmentId: r.access_department_id ?? null,
  role: r.access_role ?? null,
});
const effectiveView = (r: AccessCols) => ({
  kind: r.eff_kind,
  departmentId: r.eff_department_id ?? null,
  role: r.eff_role ?? null,
});

/** Every folder the viewer may open, by name; a folder whose parent is closed to them shows at the top. */
export async function listFolders(em: EntityManager, viewer: DocumentViewer) {
  const { sql, params } = accessSql(viewer, 'f');
  const rows = await run<FolderRow>(
    em,
    `select f.*, u.name as owner_name from document_folders f join users u on u.id = f.owner_id
     where ${sql} order by lower(f.name), f.id`,
    params,
  );
  const ids = new Set(rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id,
    parentId: r.parent_id && ids.has(r.parent_id) ? r.parent_id : null,
    name: r.name,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    access: accessView(r),
    effective: effectiveView(r),
    version: r.version,
  }));
}

const summaryColumns = `d.id, d.folder_id, d.title, d.kind, d.tags, d.description, d.owner_id, u.name as owner_name,
  d.current_version, d.updated_at, d.deleted_at, d.version, v.file_name, v.content_type, v.size, v.id as version_id,
  v.text_status`;
const summaryJoins = `join users u on u.id = d.owner_id
  join document_versions v on v.document_id = d.id and v.number = d.current_version`;

const summary = (r: SummaryRow) => ({
  id: r.id,
  folderId: r.folder_id ?? null,
  title: r.title,
  kind: r.kind,
  tags: r.tags,
  ownerId: r.owner_id,
  ownerName: r.owner_name,
  currentVersion: r.current_version,
  currentVersionId: r.version_id,
  fileName: r.file_name,
  contentType: r.content_type,
  size: Number(r.size),
  textStatus: r.text_status,
  updatedAt: new Date(r.updated_at).toISOString(),
  deletedAt: r.deleted_at ? new Date(r.deleted_at).toISOString() : null,
  version: r.version,
});

/**
 * A search ranks at most this many matches, the most recently changed: a word found in most of the catalog would
 * otherwise have every matching row read and ranked (seconds at 100,000 documents). The GIN index on (search,
 * audience) finds rare words among the documents the viewer may open in one scan; for a frequent one the planner walks
 * the recency index instead, checks each row's match and audience, and stops here. Each candidate is ranked as it is
 * read (the query folded to a constant), so the tsvectors are not carried through the materialized candidates.
 */
const RANKED = 2000;

export interface ListFilter {
  folderId?: string | null;
  /** all folders (a search or a link filter reads across folders) */
  anyFolder?: boolean;
  q?: string;
  link?: { type: string; id: string };
  trash?: boolean;
  limit: number;
  offset: number;
}

/**
 * Documents the viewer may open: a folder's (the top when folderId is null), those linked to a record, the trash
 * (the viewer's own, or all for an administrator), or a full-text search over titles, tags and text with the
 * matches highlighted (ts_headline on the best page of results only).
 */
export async function listDocuments(em: EntityManager, viewer: DocumentViewer, f: ListFilter) {
  const access = accessSql(viewer, 'd');
  const where: string[] = [access.sql];
  const params: unknown[] = [...access.params];
  if (f.trash) {
    where.push('d.deleted_at is not null');
    if (viewer.role !== 'admin') {
      where.push('d.owner_id = ?');
      params.push(viewer.id);
    }
  } else where.push('d.deleted_at is null');
  if (!f.anyFolder && !f.q && !f.link && !f.trash) {
    where.push(f.folderId ? 'd.folder_id = ?' : 'd.folder_id is null');
    if (f.folderId) params.push(f.folderId);
  } else if (f.folderId) {
    where.push('d.folder_id = ?');
    params.push(f.folderId);
  }
  if (f.link) {
    where.push(
      'exists (select 1 from document_links l where l.document_id = d.id and l.target_type = ? and l.target_id = ?)',
    );
    params.push(f.link.type, f.link.id);
  }
  if (f.q) {
    const rows = await run<SummaryRow & { headline: string | null }>(
      em,
      `with q as (select websearch_to_tsquery('russian', ?) as query),
       candidates as materialized (
         select d.id, ts_rank(d.search, websearch_to_tsquery('russian', ?)) as rank from documents d
         where d.search @@ websearch_to_tsquery('russian', ?) and ${where.join(' and ')}
         order by d.updated_at desc, d.id limit ${RANKED}
       ),
       hits as (select c.id, c.rank from candidates c order by c.rank desc, c.id limit ? offset ?)
       select ${summaryColumns}, hits.rank,
         ts_headline('russian', left(d.body_text, 20000), q.query,
           'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" … "') as headline
       from hits join documents d on d.id = hits.id cross join q ${summaryJoins}
       order by hits.rank desc, d.id`,
      [f.q, f.q, f.q, ...params, f.limit + 1, f.offset],
    );
    return page(rows, f.limit, (r) => ({
      ...summary(r),
      highlight: r.headline?.includes('\u0002') ? headlineParts(r.headline) : [],
    }));
  }
  const order = f.trash ? 'd.deleted_at desc, d.id' : 'lower(d.title), d.id';
  const rows = await run<SummaryRow>(
    em,
    `select ${summaryColumns} from documents d ${summaryJoins} where ${where.join(' and ')}
     order by ${order} limit ? offset ?`,
    [...params, f.limit + 1, f.offset],
  );
  return page(rows, f.limit, (r) => ({ ...summary(r), highlight: [] }));
}

function page<R, T>(rows: R[], limit: number, map: (r: R) => T) {
  return { items: rows.slice(0, limit).map(map), more: rows.length > limit };
}

/** One document with its versions and links (named), for a viewer who may open it. */
export async function documentDetail(em: EntityManager, id: string) {
  const [r] = await run<SummaryRow & AccessCols & { description: string }>(
    em,
    `select ${summaryColumns}, d.description, d.access_kind, d.access_department_id, d.access_role, d.eff_kind, d.eff_department_id,
       d.eff_role from documents d ${summaryJoins} where d.id = ?`,
    [id],
  );
  const versions = await run<VersionRow>(
    em,
    `select v.*, u.name as uploader_name from document_versions v join users u on u.id = v.uploaded_by
     where v.document_id = ? order by v.number desc`,
    [id],
  );
  const links = await run<{ target_type: string; target_id: string; name: string }>(
    em,
    `select l.target_type, l.target_id,
       coalesce(c.name, dl.title, rg.name, '') as name
     from document_links l
     left join clients c on l.target_type = 'client' and c.id = l.target_id
     left join deals dl on l.target_type = 'deal' and dl.id = l.target_id
     left join regulations rg on l.target_type = 'regulation' and rg.id = l.target_id
     where l.document_id = ? order by l.target_type, name`,
    [id],
  );
  return {
    ...summary(r),
    description: r.description,
    access: accessView(r),
    effective: effectiveView(r),
    versions: versions.map((v) => ({
      id: v.id,
      number: v.number,
      fileName: v.file_name,
      contentType: v.content_type,
      size: Number(v.size),
      sha256: v.file_sha256.trim(),
      uploadedBy: v.uploaded_by,
      uploaderName: v.uploader_name,
      textStatus: v.text_status,
      createdAt: new Date(v.created_at).toISOString(),
    })),
    links: links.map((l) => ({ type: l.target_type, id: l.target_id, name: l.name })),
  };
}

/**
 * The deals' files as a view of the catalog: attachments of the deals the viewer sees, under their client and
 * deal, read from deal_attachments (nothing copied). Without a client: the clients that have any, with counts.
 */
export async function dealFiles(
  em: EntityManager,
  viewer: { id: string; role: string; accessEpoch?: number },
  clientId?: string,
) {
  type DealFiles = {
    id: string;
    title: string;
    files: { id: string; fileName: string; contentType: string; size: number; createdAt: string }[];
  };
  const vis = await visibilitySql(em, viewer, 'deal', 'dl');
  if (!clientId) {
    const rows = await run<{ id: string; name: string; files: number }>(
      em,
      `select c.id, c.name, count(*)::int as files from deal_attachments a
       join deals dl on dl.id = a.deal_id join clients c on c.id = dl.client_id
       where ${vis.sql} group by c.id, c.name order by lower(c.name), c.id limit 500`,
      vis.params,
    );
    return {
      clients: rows.map((r) => ({ id: r.id, name: r.name, files: r.files })),
      deals: [] as DealFiles[],
    };
  }
  const rows = await run<{
    deal_id: string;
    title: string;
    id: string;
    file_name: string;
    content_type: string;
    size: string | number;
    created_at: Date;
  }>(
    em,
    `select dl.id as deal_id, dl.title, a.id, a.file_name, a.content_type, a.size, a.created_at
     from deal_attachments a join deals dl on dl.id = a.deal_id
     where dl.client_id = ? and ${vis.sql} order by lower(dl.title), dl.id, a.created_at desc limit 1000`,
    [clientId, ...vis.params],
  );
  const deals = new Map<string, DealFiles>();
  for (const r of rows) {
    const d: DealFiles = deals.get(r.deal_id) ?? { id: r.deal_id, title: r.title, files: [] };
    d.files.push({
      id: r.id,
      fileName: r.file_name,
      contentType: r.content_type,
      size: Number(r.size),
      createdAt: new Date(r.created_at).toISOString(),
    });
    deals.set(r.deal_id, d);
  }
  return { clients: [] as { id: string; name: string; files: number }[], deals: [...deals.values()] };
}
