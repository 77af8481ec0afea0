import fs from 'node:fs';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client as TemporalClient } from '@temporalio/client';
import type { FileStorage } from '../files/storage.ts';
import { DOCUMENT_TYPES, searchableText, WITH_TEXT } from './file-types.ts';

/** The text of a stored file for search: PDF (unpdf, PDF.js), DOCX (mammoth), plain text. */
export async function extractText(path: string, contentType: string): Promise<string> {
  const bytes = await fs.promises.readFile(path);
  if (contentType === 'application/pdf') {
    const { extractText: pdfText, getDocumentProxy } = await import('unpdf');
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    try {
      const { text } = await pdfText(pdf, { mergePages: true });
      return text;
    } finally {
      await pdf.cleanup();
    }
  }
  if (contentType === DOCUMENT_TYPES.docx.mime) {
    const mammoth = await import('mammoth');
    return (await mammoth.extractRawText({ buffer: bytes })).value;
  }
  return new TextDecoder('utf-8').decode(bytes.subarray(0, 1_000_000));
}

/**
 * Extracts the text of a document version and, while it is the document's current version, stores it for search.
 * Idempotent: a version done already is left as it is. A file that cannot be read is marked failed, not retried.
 */
export async function extractVersionText(em: EntityManager, storage: FileStorage, versionId: string): Promise<string> {
  const [v] = await em
    .getConnection()
    .execute<{ document_id: string; number: number; file_sha256: string; content_type: string; text_status: string }[]>(
      'select document_id, number, file_sha256, content_type, text_status from document_versions where id = ?',
      [versionId],
    );
  if (!v || v.text_status !== 'pending') return v?.text_status ?? 'gone';
  let status = 'none';
  let text = '';
  if (WITH_TEXT.has(v.content_type)) {
    try {
      text = searchableText(await extractText(storage.pathOf(v.file_sha256), v.content_type));
      status = 'done';
    } catch (e) {
      console.warn('document text could not be extracted', versionId, (e as Error).message);
      status = 'failed';
    }
  }
  await em.transactional(async (tem) => {
    const conn = tem.getConnection();
    const ctx: unknown = tem.getTransactionContext();
    await conn.execute('update document_versions set text_status = ? where id = ?', [status, versionId], 'run', ctx);
    await conn.execute(
      'update documents set body_text = ? where id = ? and current_version = ?',
      [text, v.document_id, v.number],
      'run',
      ctx,
    );
  });
  return status;
}

export const documentTextWorkflowId = (versionId: string) => `document-text-${versionId}`;

/**
 * Starts extracting the text of new versions off the request path (`documentTextWorkflow`, retried by Temporal).
 * Should Temporal be unreachable the versions stay pending and are searchable by title and tags meanwhile.
 */
export async function startTextExtraction(temporal: TemporalClient, taskQueue: string, versionIds: string[]) {
  for (const versionId of versionIds) {
    try {
      await temporal.workflow.start('documentTextWorkflow', {
        workflowId: documentTextWorkflowId(versionId),
        taskQueue,
        args: [{ versionId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    } catch (e) {
      console.warn('document text extraction could not be started', versionId, (e as Error).message);
    }
  }
}
