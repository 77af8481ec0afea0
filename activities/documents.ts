import type { ActivityDeps } from './index.ts';
import { extractVersionText } from '../modules/documents/extract.ts';

export function createDocumentActivities(deps: ActivityDeps) {
  return {
    /** The text of a document version, stored for search while it is current (modules/documents/extract.ts). */
    async extractDocumentText(input: { versionId: string }): Promise<string> {
      return extractVersionText(deps.orm.em.fork(), deps.storage, input.versionId);
    },
  };
}
