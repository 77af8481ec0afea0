/**
 * "Make it a document": a dialog on a post that picks a folder of the catalog (those the user may open, as a tree)
 * and a title, then turns the post and its attachments into catalog documents and links to them. The request's opId
 * is made once per dialog, so a double click makes the documents once.
 */
import { NativeSelect } from '@mantine/core';
import { useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { Button, Dialog, ErrorBox, Field, Icon } from '../../ui.js';
import { useFolderOptions } from './folder-options.js';
import { newOpId, useMakeDocument, type FeedPost } from './feed-query.js';

export function MakeDocumentDialog({ post, onClose }: { post: FeedPost; onClose: () => void }) {
  const { t } = useI18n();
  const [opId] = useState(newOpId);
  const [folderId, setFolderId] = useState('');
  const [title, setTitle] = useState('');
  const { options, folders } = useFolderOptions();
  const make = useMakeDocument(post.id);
  const submit = () => make.mutate({ opId, folderId: folderId || null, title: title.trim() || undefined });
  const made = make.data?.documents;
  return (
    <Dialog
      title={t('feed.makeDocument.title')}
      onClose={onClose}
      testId="make-document-dialog"
      busy={make.isPending}
      footer={
        made ? (
          <Button variant="primary" onClick={onClose} data-testid="make-document-close">
            {t('common.close')}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button variant="primary" busy={make.isPending} onClick={submit} data-testid="make-document-save">
              {t('feed.makeDocument.make')}
            </Button>
          </>
        )
      }
    >
      {made ? (
        <div data-testid="make-document-done">
          <p>{t('feed.makeDocument.done', { count: made.length })}</p>
          <ul className="feed-files">
            {made.map((d) => (
              <li key={d.id}>
                <Link to={`/documents?open=${d.id}`} className="chip chip-blue" data-testid="made-document">
                  <Icon name="file" size={14} /> {d.title}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <p className="muted">{t('feed.makeDocument.hint')}</p>
          <Field label={t('feed.makeDocument.folder')} htmlFor="make-document-folder">
            <NativeSelect
              id="make-document-folder"
              data={options}
              value={folderId}
              onChange={(e) => setFolderId(e.currentTarget.value)}
              data-testid="make-document-folder"
            />
          </Field>
          <Field label={t('feed.makeDocument.name')} htmlFor="make-document-title">
            <input
              id="make-document-title"
              className="input"
              value={title}
              maxLength={200}
              placeholder={t('feed.makeDocument.namePlaceholder')}
              onChange={(e) => setTitle(e.target.value)}
              data-testid="make-document-title"
            />
          </Field>
          <ErrorBox error={make.error ?? folders.error} />
        </form>
      )}
    </Dialog>
  );
}
