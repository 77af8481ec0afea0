/**
 * What a BPMN file must pass before any XML parser sees it: a size limit, no document type declaration (so no
 * external entities and no entity expansion — "billion laughs"), and a nesting depth limit. Linear in the input, so a
 * hostile file is refused in milliseconds instead of hanging or exhausting memory.
 */

export const MAX_BPMN_BYTES = 2 * 1024 * 1024;
export const MAX_DEPTH = 64;

export interface XmlRefusal {
  code: 'BPMN_TOO_LARGE' | 'BPMN_DOCTYPE' | 'BPMN_TOO_DEEP' | 'BPMN_NOT_XML';
  message: string;
}

export function xmlRefusal(xml: string): XmlRefusal | null {
  if (Buffer.byteLength(xml, 'utf8') > MAX_BPMN_BYTES) {
    return { code: 'BPMN_TOO_LARGE', message: `A BPMN file is at most ${MAX_BPMN_BYTES / 1024 / 1024} MB` };
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    return { code: 'BPMN_DOCTYPE', message: 'Document type declarations and entities are not allowed in BPMN files' };
  }
  if (!/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*</.test(xml)) {
    return { code: 'BPMN_NOT_XML', message: 'This is not an XML document' };
  }
  // depth by a scan of the tags; comments, CDATA and processing instructions are skipped
  let depth = 0;
  const tags = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)[A-Za-z_][^>]*?(\/?)>/g;
  for (let m = tags.exec(xml); m; m = tags.exec(xml)) {
    if (m[0].startsWith('<!') || m[0].startsWith('<?')) continue;
    if (m[1]) depth--;
    else if (!m[2]) {
      depth++;
      if (depth > MAX_DEPTH)
        return { code: 'BPMN_TOO_DEEP', message: `Elements are nested more than ${MAX_DEPTH} deep` };
    }
  }
  return null;
}
