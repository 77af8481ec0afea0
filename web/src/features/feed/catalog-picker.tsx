/**
 * Picks catalog documents for a post: a folder's documents (those the user may open) or a search over the catalog;
 * each picked document is referred to by the post, and readers see it only when they may open it.
 */
import { NativeSelect } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Button, Dialog, ErrorBox, Icon, Loading } from '../../ui.js';
import { documentsQuery } from '../documents/documents-query.js';
import { useFolderOptions } from './folder-options.js';

export interface PickedDocument {
  id: string;
  title: string;
}

export function CatalogPicker({
  picked,
  onPick,
  onClose,
}: {
  picked: PickedDocument[];
  onPick: (d: PickedDocument) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [folderId, setFolderId] = useState('');
  const [q, setQ] = useState('');
  const [query] = useDebouncedValue(q.trim(), 250);
  const { options, folders } = useFolderOptions();
  const docs = useQuery(documentsQuery({ folderId: folderId || undefined, q: query || undefined }));
  const taken = new Set(picked.map((d) => d.id));
  return (
    <Dialog
      title={t('feed.catalog.title')}
      onClose={onClose}
      testId="catalog-picker"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="catalog-picker-done">
          {t('common.close')}
        </Button>
      }
    >
      <div className="feed-catalog-filters">
        <NativeSelect
          aria-label={t('feed.makeDocument.folder')}
          data={options}
          value={folderId}
          disabled={!!query}
          onChange={(e) => setFolderId(e.currentTarget.value)}
          data-testid="catalog-picker-folder"
        />
        <input
          className="input"
          type="search"
          value={q}
          placeholder={t('feed.catalog.search')}
          aria-label={t('feed.catalog.search')}
          onChange={(e) => setQ(e.target.value)}
          data-testid="catalog-picker-search"
        />
      </div>
      <ErrorBox error={docs.error ?? folders.error} />
      {docs.isPending ? <Loading /> : null}
      {docs.data && !docs.data.items.length ? <p className="muted">{t('feed.catalog.none')}</p> : null}
      <ul className="feed-catalog-list" data-testid="catalog-picker-list">
        {docs.data?.items.map((d) => (
          <li key={d.id}>
            <span>
              <Icon name="file" size={14} /> {d.title} <span className="muted">{d.fileName}</span>
            </span>
            <Button
              size="sm"
              disabled={taken.has(d.id)}
              onClick={() => onPick({ id: d.id, title: d.title })}
              data-testid="catalog-pick"
            >
              {taken.has(d.id) ? t('feed.catalog.added') : t('feed.catalog.add')}
            </Button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
