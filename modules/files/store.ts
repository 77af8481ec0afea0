import fs from 'node:fs';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FileStorage } from './storage.ts';

/** Serialises everything that writes or removes one content address: an upload of it and the sweep. */
async function lockContent(em: EntityManager, sha256: string) {
  await em
    .getConnection()
    .execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [sha256], 'all', em.getTransactionContext());
}

/**
 * Moves an upload into the content store and records it. The row's created_at is touched even when the content
 * was there before, so the sweep's grace period starts again and cannot remove it before it is attached.
 */
export async function storeUpload(
  em: EntityManager,
  storage: FileStorage,
  tmpPath: string,
): Promise<{ sha256: string; size: number }> {
  const sha256 = await storage.hashOf(tmpPath);
  return em.fork().transactional(async (tem) => {
    await lockContent(tem, sha256);
    const stored = await storage.putFile(tmpPath, sha256);
    await tem
      .getConnection()
      .execute(
        'insert into files (sha256, size) values (?, ?) on conflict (sha256) do update set created_at = now()',
        [stored.sha256, stored.size],
        'run',
        tem.getTransactionContext(),
      );
    return stored;
  });
}

/**
 * Removes stored content no attachment (of a deal or a feed post), import or document version refers to and that nobody uploaded within
 * the grace period (an upload
 * whose command was then refused, a detached file). Returns how many were removed.
 */
export async function sweepUnreferencedFiles(
  em: EntityManager,
  storage: FileStorage,
  opts: { graceHours: number; limit?: number },
): Promise<number> {
  // an import keeps its file as long as it exists, a document version (in the trash too) as long as it exists
  const unreferenced = `created_at < now() - make_interval(hours => ?)
    and not exists (select 1 from deal_attachments a where a.file_sha256 = files.sha256)
    and not exists (select 1 from imports i where i.file_sha256 = files.sha256)
    and not exists (select 1 from feed_attachments f where f.file_sha256 = files.sha256)
    and not exists (select 1 from document_versions v where v.file_sha256 = files.sha256)`;
  const candidates = await em
    .getConnection()
    .execute<{ sha256: string }[]>(`select sha256 from files where ${unreferenced} limit ?`, [
      opts.graceHours,
      opts.limit ?? 500,
    ]);
  let removed = 0;
  for (const { sha256 } of candidates) {
    await em.fork().transactional(async (tem) => {
      await lockContent(tem, sha256);
      const gone = await tem
        .getConnection()
        .execute<{ sha256: string }[]>(
          `delete from files where sha256 = ? and ${unreferenced} returning sha256`,
          [sha256, opts.graceHours],
          'all',
          tem.getTransactionContext(),
        );
      if (gone.length) {
        await fs.promises.rm(storage.pathOf(sha256), { force: true });
        removed++;
      }
    });
  }
  return removed;
}
