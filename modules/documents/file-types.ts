/**
 * Which files the catalog takes, judged by their content (the type detected from the file's bytes), never by the
 * name alone: a name whose extension says another type than the content is refused, as is content of a type not on
 * the list. Plain text has no signature: content without a detected type that reads as UTF-8 text is text.
 */
export const DOCUMENT_TYPES: Record<string, { mime: string; extensions: string[] }> = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'] },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'] },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extensions: ['pptx'] },
  odt: { mime: 'application/vnd.oasis.opendocument.text', extensions: ['odt'] },
  ods: { mime: 'application/vnd.oasis.opendocument.spreadsheet', extensions: ['ods'] },
  png: { mime: 'image/png', extensions: ['png'] },
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  gif: { mime: 'image/gif', extensions: ['gif'] },
  webp: { mime: 'image/webp', extensions: ['webp'] },
  zip: { mime: 'application/zip', extensions: ['zip'] },
  text: { mime: 'text/plain', extensions: ['txt', 'md', 'text', 'log'] },
  csv: { mime: 'text/csv', extensions: ['csv'] },
};

/** Types a browser may show inline (served with nosniff and a sandboxing policy all the same). */
export const PREVIEWABLE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Types whose text is extracted for search. */
export const WITH_TEXT = new Set(['application/pdf', DOCUMENT_TYPES.docx.mime, 'text/plain', 'text/csv']);

export type TypeVerdict =
  | { ok: true; contentType: string }
  | { ok: false; code: 'DOCUMENT_TYPE_NOT_ALLOWED' | 'DOCUMENT_TYPE_MISMATCH'; detected: string | null };

const extensionOf = (name: string) => {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(name);
  return m ? m[1].toLowerCase() : null;
};

/**
 * The content type of an upload: `detectedMime` is what the content's signature says (null: none found), `isText`
 * whether the content reads as UTF-8 text without NUL characters.
 */
export function judgeType(fileName: string, detectedMime: string | null, isText: boolean): TypeVerdict {
  const ext = extensionOf(fileName);
  const byContent = detectedMime
    ? Object.values(DOCUMENT_TYPES).find((t) => t.mime === detectedMime)
    : isText
      ? ext === 'csv'
        ? DOCUMENT_TYPES.csv
        : DOCUMENT_TYPES.text
      : undefined;
  if (!byContent) return { ok: false, code: 'DOCUMENT_TYPE_NOT_ALLOWED', detected: detectedMime };
  const byName = ext ? Object.values(DOCUMENT_TYPES).find((t) => t.extensions.includes(ext)) : undefined;
  // a name with an extension of a type we know must agree with the content; other names take the content's type
  if (byName && byName.mime !== byContent.mime) {
    const bothText = byName.mime.startsWith('text/') && byContent.mime.startsWith('text/');
    if (!bothText) return { ok: false, code: 'DOCUMENT_TYPE_MISMATCH', detected: byContent.mime };
  }
  if (ext && !byName && !isText) {
    // an extension we do not take (e.g. .exe, .html) on binary content of an accepted type
    return { ok: false, code: 'DOCUMENT_TYPE_MISMATCH', detected: byContent.mime };
  }
  return { ok: true, contentType: byContent.mime };
}

/** Does this sample of a file read as text: valid UTF-8, no NUL and few control characters? */
export function looksLikeText(sample: Uint8Array): boolean {
  if (sample.length === 0) return true;
  let text: string;
  try {
    // a multi-byte character cut at the sample's end is not an error
    text = new TextDecoder('utf-8', { fatal: true }).decode(trimPartial(sample));
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this counts
  const controls = text.match(/[\u0000-\u0008\u000E-\u001F]/g)?.length ?? 0;
  return !text.includes('\u0000') && controls <= text.length / 100;
}

function trimPartial(b: Uint8Array): Uint8Array {
  // drop an incomplete UTF-8 sequence at the end (at most 3 bytes)
  let end = b.length;
  for (let i = 1; i <= 3 && i <= b.length; i++) {
    const byte = b[b.length - i];
    if ((byte & 0xc0) === 0x80) continue;
    if ((byte & 0xc0) === 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (need > i) end = b.length - i;
    }
    break;
  }
  return b.subarray(0, end);
}

/** The catalog's document kinds. */
export const DOCUMENT_KINDS = ['regulation', 'material', 'template', 'proposal', 'contract', 'other'] as const;
export type DocumentKindName = (typeof DOCUMENT_KINDS)[number];

/** Tags as stored: trimmed, without empties and duplicates (case-insensitively), at most 20 of 50 characters. */
export function normaliseTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of tags) {
    const tag = t.normalize('NFC').trim().replace(/\s+/g, ' ').slice(0, 50);
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    out.push(tag);
  }
  return out.slice(0, 20);
}

/** The text kept for search: without control characters, at most 200,000 characters (a tsvector holds 1 MB). */
export function searchableText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, ' ').slice(0, 200_000);
}

/** The parts of a headline Postgres marked between \u0002 and \u0003, as text and matches. */
export function headlineParts(headline: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  // eslint-disable-next-line no-control-regex -- the marks ts_headline was given (control characters, never in text)
  for (const [i, piece] of headline.split(/[\u0002\u0003]/).entries()) {
    if (piece) parts.push({ text: piece, match: i % 2 === 1 });
  }
  return parts;
}
