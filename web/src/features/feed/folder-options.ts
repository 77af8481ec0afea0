/** The catalog's folders as options of a folder picker: the top first, then the tree in order, indented by depth. */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { DocumentFolder } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { foldersQuery } from '../documents/documents-query.js';

/** The folders in tree order, each with its depth. */
export function treeOrder(folders: DocumentFolder[]) {
  const out: { folder: DocumentFolder; depth: number }[] = [];
  const ids = new Set(folders.map((f) => f.id));
  const walk = (parentId: string | null, depth: number) => {
    for (const f of folders.filter((x) => (x.parentId && ids.has(x.parentId) ? x.parentId : null) === parentId)) {
      out.push({ folder: f, depth });
      walk(f.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function useFolderOptions() {
  const { t } = useI18n();
  const folders = useQuery(foldersQuery);
  const options = useMemo(
    () => [
      { value: '', label: t('feed.makeDocument.top') },
      ...treeOrder(folders.data?.items ?? []).map(({ folder, depth }) => ({
        value: folder.id,
        label: `${'\u00a0\u00a0'.repeat(depth)}${folder.name}`,
      })),
    ],
    [folders.data, t],
  );
  return { options, folders };
}
