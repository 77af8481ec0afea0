import { create as contentDisposition } from 'content-disposition';

/**
 * Characters never kept in a stored file name: C0/C1 controls (NUL included) and the Unicode bidirectional controls
 * (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM), with which `invoice\u202Egpj.exe` shows as
 * `invoiceexe.jpg`; a lone UTF-16 surrogate, which Postgres cannot store, too.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern removes
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export const MAX_FILE_NAME = 255;

/**
 * The name an upload is stored under, from the name the client sent (already decoded: RFC 5987 `filename*` by its
 * charset, a plain `filename` as UTF-8): NFC, without unsafe characters or a folder part, at most 255 code points.
 */
export function storedFileName(sent: string | undefined | null): string {
  const clean = (sent ?? '').normalize('NFC').replace(UNSAFE, '');
  const base = clean.split(/[/\\]/).pop()!.trim();
  return Array.from(base).slice(0, MAX_FILE_NAME).join('') || 'file';
}

/** Content-Disposition of a download: RFC 6266 `filename*` in UTF-8 plus an ASCII `filename` fallback. */
export const attachmentDisposition = (fileName: string) =>
  contentDisposition(storedFileName(fileName), { type: 'attachment' });
