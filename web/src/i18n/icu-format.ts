/**
 * ICU messages formatted by intl-messageformat. The build compiles the catalogs (web/vite.config.ts,
 * compileMessages): each message comes as its syntax tree, so the browser never loads the ICU parser. Uncompiled
 * catalogs (unit tests) are parsed here as they are read.
 */
import type { MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';

/** The mark of a compiled message: the syntax tree as JSON follows. */
export const COMPILED_TREE = '\u0001';
/** The mark of a compiled message without arguments: its text follows, as the reader sees it. */
export const COMPILED_TEXT = '\u0002';

const made = new Map<string, IntlMessageFormat | string>();

function make(res: string, lng: string): IntlMessageFormat | string {
  // tags are text (ignoreTag): messages hold no markup
  if (res.startsWith(COMPILED_TEXT)) return res.slice(1);
  if (res.startsWith(COMPILED_TREE))
    return new IntlMessageFormat(JSON.parse(res.slice(1)) as MessageFormatElement[], lng, undefined, {
      ignoreTag: true,
    });
  return new IntlMessageFormat(res, lng, undefined, { ignoreTag: true });
}

/** A catalog's message (`res`, compiled or not) of `key` in language `lng`, with its arguments; made once per key. */
export function formatMessage(res: string, vars: Record<string, string | number>, lng: string, key: string): string {
  const id = `${lng}\u0000${key}`;
  let f = made.get(id);
  if (f === undefined) made.set(id, (f = make(res, lng)));
  return typeof f === 'string' ? f : String(f.format(vars));
}
