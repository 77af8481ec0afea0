import fs from 'node:fs';
import { fileTypeFromFile } from 'file-type';
import { DomainError } from '../shared/errors.ts';
import { judgeType, looksLikeText } from './file-types.ts';

/** The content type of an uploaded file judged by its content (file-type) against its name; refused with a code. */
export async function contentTypeOf(path: string, fileName: string): Promise<string> {
  const detected = (await fileTypeFromFile(path))?.mime ?? null;
  let isText = false;
  if (!detected) {
    const handle = await fs.promises.open(path, 'r');
    try {
      const sample = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
      isText = looksLikeText(sample.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  }
  const verdict = judgeType(fileName, detected, isText);
  if (verdict.ok) return verdict.contentType;
  throw new DomainError(
    verdict.code,
    verdict.code === 'DOCUMENT_TYPE_MISMATCH'
      ? "The file's content does not match its name"
      : 'Files of this type are not taken by the catalog',
    { detected: verdict.detected },
  );
}
