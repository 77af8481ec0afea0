/** One document: preview (PDF, images), its metadata and access, its versions (download, upload a new one), trash. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import type { CatalogDocument } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { Button, Dialog, ErrorBox, Field, Icon, Loading, formatSize, useErrorText } from '../../ui.js';
import { AccessPicker, type AccessValue } from './access-picker.js';
import {
  contentUrl,
  docKeys,
  documentQuery,
  uploadWithProgress,
  useTrashDocument,
  useUpdateDocument,
} from './documents-query.js';

const PdfPreview = lazy(() => import('./pdf-preview.js').then((m) => ({ default: m.PdfPreview })));
const IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const KINDS = ['regulation', 'material', 'template', 'proposal', 'contract', 'other'] as const;

export function DocumentDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const doc = useQuery(documentQuery(id));
  return (
    <Dialog
      title={doc.data?.title ?? t('documents.document')}
      onClose={onClose}
      wide
      testId="document-dialog"
      footer={<Button onClick={onClose}>{t('common.close')}</Button>}
    >
      <ErrorBox error={doc.error} />
      {doc.isPending ? <Loading /> : doc.data ? <DocumentBody doc={doc.data} /> : null}
    </Dialog>
  );
}

function DocumentBody({ doc }: { doc: CatalogDocument }) {
  const { t, dateTime } = useI18n();
  const { user } = useSession();
  const mayManage = user?.role === 'admin' || user?.id === doc.ownerId;
  const trash = useTrashDocument(doc.id);
  return (
    <div className="document-body">
      <Preview doc={doc} />
      {doc.deletedAt ? (
        <div className="alert" role="status">
          {t('documents.inTrash')}{' '}
          {mayManage ? (
            <Button size="sm" busy={trash.isPending} onClick={() => trash.mutate(false)} data-testid="document-restore">
              {t('documents.restore')}
            </Button>
          ) : null}
        </div>
      ) : null}
      <MetaForm key={doc.version} doc={doc} mayManage={mayManage} />
      <h3>{t('documents.versions')}</h3>
      <ul className="attachments" data-testid="document-versions">
        {doc.versions.map((v) => (
          <li key={v.id} className="attachment">
            <span className="attachment-icon">
              <Icon name="file" />
            </span>
            <div className="attachment-main">
              <a className="attachment-name" href={contentUrl(doc.id, v.number)} download={v.fileName}>
                {t('documents.versionN', { n: v.number })} · {v.fileName}
              </a>
              <div className="muted small">
                {formatSize(v.size)} · {v.uploaderName} · {dateTime(v.createdAt)}
              </div>
            </div>
            <a
              className="icon-btn"
              href={contentUrl(doc.id, v.number)}
              download={v.fileName}
              aria-label={t('documents.download')}
              title={t('documents.download')}
            >
              <Icon name="download" />
            </a>
          </li>
        ))}
      </ul>
      {doc.deletedAt ? null : <NewVersion doc={doc} />}
      {mayManage && !doc.deletedAt ? (
        <div className="document-danger">
          <Button
            variant="danger"
            icon="trash"
            busy={trash.isPending}
            onClick={() => trash.mutate(true)}
            data-testid="document-trash"
          >
            {t('documents.moveToTrash')}
          </Button>
        </div>
      ) : null}
      <ErrorBox error={trash.error} />
    </div>
  );
}

/** PDF drawn by PDF.js on a canvas in the page; images as images; other types only download. */
function Preview({ doc }: { doc: CatalogDocument }) {
  const { t } = useI18n();
  if (doc.contentType === 'application/pdf')
    return (
      <Suspense fallback={<Loading />}>
        <PdfPreview url={contentUrl(doc.id, doc.currentVersion)} label={t('documents.preview')} />
      </Suspense>
    );
  if (IMAGES.has(doc.contentType))
    return (
      <div className="doc-preview">
        <img src={contentUrl(doc.id, doc.currentVersion, true)} alt={doc.title} data-testid="image-preview" />
      </div>
    );
  return null;
}

function MetaForm({ doc, mayManage }: { doc: CatalogDocument; mayManage: boolean }) {
  const { t } = useI18n();
  const [title, setTitle] = useState(doc.title);
  const [kind, setKind] = useState(doc.kind as (typeof KINDS)[number]);
  const [tags, setTags] = useState(doc.tags.join(', '));
  const [description, setDescription] = useState(doc.description);
  const [access, setAccess] = useState<AccessValue>(doc.access as AccessValue);
  const update = useUpdateDocument(doc.id);
  const save = () =>
    update.mutate({
      title: title.trim() || doc.title,
      kind,
      tags: tags
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      description,
      ...(mayManage
        ? {
            access: {
              kind: access.kind,
              departmentId: access.kind === 'department' ? access.departmentId : null,
              role: access.kind === 'role' ? access.role : null,
            },
          }
        : {}),
      version: doc.version,
    });
  return (
    <form
      className="document-meta"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <Field label={t('field.title')} htmlFor="doc-title">
        <input
          id="doc-title"
          className="input"
          value={title}
          maxLength={500}
          onChange={(e) => setTitle(e.target.value)}
        />
      </Field>
      <Field label={t('documents.kind')} htmlFor="doc-kind">
        <select
          id="doc-kind"
          className="input"
          value={kind}
          onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`documents.kinds.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('documents.tags')} htmlFor="doc-tags" hint={t('documents.tagsHint')}>
        <input id="doc-tags" className="input" value={tags} onChange={(e) => setTags(e.target.value)} />
      </Field>
      <Field label={t('documents.description')} htmlFor="doc-description">
        <textarea
          id="doc-description"
          className="input"
          rows={3}
          maxLength={5000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </Field>
      {mayManage ? <AccessPicker value={access} onChange={setAccess} /> : null}
      {doc.links.length ? (
        <div className="muted small">
          {t('documents.links')}: {doc.links.map((l) => l.name).join(', ')}
        </div>
      ) : null}
      <div className="document-meta-actions">
        <span className="muted small">
          {t('field.owner')}: {doc.ownerName}
        </span>
        <Button type="submit" variant="primary" busy={update.isPending} data-testid="document-save">
          {t('common.save')}
        </Button>
      </div>
      <ErrorBox error={update.error} />
    </form>
  );
}

function NewVersion({ doc }: { doc: CatalogDocument }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const send = (file: File) => {
    setError(null);
    setProgress(0);
    uploadWithProgress<CatalogDocument>(`/documents/${doc.id}/versions`, {}, file, setProgress).then(
      (d) => {
        setProgress(null);
        qc.setQueryData(docKeys.one(doc.id), d);
        void qc.invalidateQueries({ queryKey: ['documents', 'list'] });
      },
      (e: unknown) => {
        setProgress(null);
        setError(e);
      },
    );
  };
  return (
    <div className="upload-row">
      <label className="file-pick">
        <Icon name="upload" size={16} />
        <span className="file-pick-name">{t('documents.newVersion')}</span>
        <input
          type="file"
          className="sr-only"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) send(f);
            e.target.value = '';
          }}
          data-testid="version-file"
        />
      </label>
      {progress !== null ? <progress max={1} value={progress} aria-label={t('documents.newVersion')} /> : null}
      {error ? (
        <span className="field-error" role="alert">
          {errorText(error)}
        </span>
      ) : null}
    </div>
  );
}
