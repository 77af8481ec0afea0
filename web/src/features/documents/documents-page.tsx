/**
 * The document catalog: the folder tree (with the deals' files as a view and the trash), a folder's documents or a
 * full-text search with the matches marked, uploads of several files at once by drag and drop with their progress.
 */
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useDropzone } from 'react-dropzone';
import type { DocumentFolder, DocumentSummary } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import {
  Button,
  Dialog,
  Empty,
  ErrorBox,
  Field,
  Icon,
  Loading,
  formatSize,
  useErrorText,
  usePageTitle,
} from '../../ui.js';
import { AccessPicker, type AccessValue } from './access-picker.js';
import { DocumentDialog } from './document-dialog.js';
import { useLocation } from '../../router.js';
import { DealFilesView } from './deal-files.js';
import {
  docKeys,
  documentsQuery,
  foldersQuery,
  uploadWithProgress,
  useCreateFolder,
  useUpdateFolder,
} from './documents-query.js';

type Place = { type: 'folder'; id: string | null } | { type: 'deals' } | { type: 'trash' };

interface Upload {
  key: string;
  name: string;
  progress: number;
  error: unknown;
  done: boolean;
}

export function DocumentsPage() {
  const { t } = useI18n();
  usePageTitle(t('documents.title'));
  const [place, setPlace] = useState<Place>({ type: 'folder', id: null });
  const [q, setQ] = useState('');
  const [query] = useDebouncedValue(q.trim(), 250);
  const { query: location } = useLocation();
  // ?open=<id>: a link to a document (from the feed) opens it
  const linked = location.get('open');
  const [openId, setOpenId] = useState<string | null>(linked);
  const [linkSeen, setLinkSeen] = useState(linked);
  if (linked !== linkSeen) {
    setLinkSeen(linked);
    if (linked) setOpenId(linked);
  }
  const [newFolder, setNewFolder] = useState(false);
  const [editing, setEditing] = useState<DocumentFolder | null>(null);
  const folders = useQuery(foldersQuery);
  const folderList = folders.data?.items ?? [];
  const current = place.type === 'folder' && place.id ? folderList.find((f) => f.id === place.id) : undefined;

  const title =
    query && place.type !== 'trash'
      ? t('documents.searchResults')
      : place.type === 'deals'
        ? t('documents.dealFiles')
        : place.type === 'trash'
          ? t('documents.trash')
          : (current?.name ?? t('documents.top'));

  return (
    <div className="page documents-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('documents.title')}</h1>
        </div>
      </header>
      <div className="documents-layout">
        <nav className="documents-tree" aria-label={t('documents.folders')} data-testid="folder-tree">
          <TreeItem
            active={place.type === 'folder' && place.id === null}
            onClick={() => setPlace({ type: 'folder', id: null })}
            icon="archive"
            depth={0}
          >
            {t('documents.top')}
          </TreeItem>
          <FolderBranch
            folders={folderList}
            parentId={null}
            depth={1}
            activeId={place.type === 'folder' ? place.id : null}
            onOpen={(id) => setPlace({ type: 'folder', id })}
          />
          <TreeItem
            active={place.type === 'deals'}
            onClick={() => setPlace({ type: 'deals' })}
            icon="building"
            depth={0}
          >
            {t('documents.dealFiles')}
          </TreeItem>
          <TreeItem active={place.type === 'trash'} onClick={() => setPlace({ type: 'trash' })} icon="trash" depth={0}>
            {t('documents.trash')}
          </TreeItem>
        </nav>
        <section className="documents-main">
          <div className="toolbar">
            <div className="input-icon toolbar-search">
              <Icon name="search" size={16} />
              <input
                className="input"
                type="search"
                placeholder={t('documents.search')}
                aria-label={t('common.search')}
                value={q}
                onChange={(e) => setQ(e.target.value)}
                data-testid="documents-search"
              />
            </div>
            <div className="toolbar-spacer" />
            {place.type === 'folder' ? (
              <>
                {current ? (
                  <Button icon="lock" onClick={() => setEditing(current)} data-testid="folder-settings">
                    {t('documents.folderSettings')}
                  </Button>
                ) : null}
                <Button icon="plus" onClick={() => setNewFolder(true)} data-testid="new-folder">
                  {t('documents.newFolder')}
                </Button>
              </>
            ) : null}
          </div>
          <h2 className="documents-heading" data-testid="documents-heading">
            {title}
          </h2>
          {place.type === 'deals' && !query ? (
            <DealFilesView />
          ) : (
            <>
              {place.type === 'folder' && !query ? <UploadZone folderId={place.id} /> : null}
              <DocumentTable
                params={
                  place.type === 'trash'
                    ? { trash: true }
                    : query
                      ? { q: query }
                      : { folderId: place.type === 'folder' ? (place.id ?? undefined) : undefined }
                }
                searching={!!query && place.type !== 'trash'}
                onOpen={setOpenId}
              />
            </>
          )}
        </section>
      </div>
      {newFolder ? (
        <FolderDialog parentId={place.type === 'folder' ? place.id : null} onClose={() => setNewFolder(false)} />
      ) : null}
      {editing ? <FolderDialog folder={editing} onClose={() => setEditing(null)} /> : null}
      {openId ? <DocumentDialog id={openId} onClose={() => setOpenId(null)} /> : null}
    </div>
  );
}

function TreeItem({
  active,
  onClick,
  icon,
  depth,
  children,
}: {
  active: boolean;
  onClick: () => void;
  icon: string;
  depth: number;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`tree-item ${active ? 'active' : ''}`}
      style={{ paddingLeft: 8 + depth * 16 }}
      aria-current={active ? 'page' : undefined}
      onClick={onClick}
    >
      <Icon name={icon} size={16} /> <span>{children}</span>
    </button>
  );
}

function FolderBranch({
  folders,
  parentId,
  depth,
  activeId,
  onOpen,
}: {
  folders: DocumentFolder[];
  parentId: string | null;
  depth: number;
  activeId: string | null;
  onOpen: (id: string) => void;
}) {
  const children = folders.filter((f) => f.parentId === parentId);
  if (!children.length || depth > 12) return null;
  return (
    <>
      {children.map((f) => (
        <div key={f.id}>
          <TreeItem active={activeId === f.id} onClick={() => onOpen(f.id)} icon="file" depth={depth}>
            {f.name}
            {f.effective.kind !== 'everyone' ? <Icon name="lock" size={12} className="muted" /> : null}
          </TreeItem>
          <FolderBranch folders={folders} parentId={f.id} depth={depth + 1} activeId={activeId} onOpen={onOpen} />
        </div>
      ))}
    </>
  );
}

/** Drop files here (or choose them): each is uploaded on its own, with its progress; refusals say why. */
function UploadZone({ folderId }: { folderId: string | null }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const qc = useQueryClient();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const patch = (key: string, p: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...p } : u)));
  const onDrop = (files: File[]) => {
    const added = files.map((f, i) => ({
      key: `${Date.now()}-${i}-${f.name}`,
      name: f.name,
      progress: 0,
      error: null,
      done: false,
    }));
    setUploads((list) => [...added, ...list.filter((u) => !u.done || u.error)].slice(0, 20));
    files.forEach((file, i) => {
      const key = added[i].key;
      uploadWithProgress<{ id: string }>('/documents', folderId ? { folderId } : {}, file, (p) =>
        patch(key, { progress: p }),
      ).then(
        () => {
          patch(key, { progress: 1, done: true });
          void qc.invalidateQueries({ queryKey: docKeys.all });
        },
        (error: unknown) => patch(key, { error, done: true }),
      );
    });
  };
  const { getRootProps, getInputProps, isDragActive } = useDropzone({ onDrop, multiple: true });
  return (
    <div className="upload-area">
      <div {...getRootProps({ className: `dropzone ${isDragActive ? 'dropzone-active' : ''}` })} data-testid="dropzone">
        <input {...getInputProps()} data-testid="documents-file-input" aria-label={t('documents.chooseFiles')} />
        <Icon name="upload" />
        <span>{isDragActive ? t('documents.dropNow') : t('documents.drop')}</span>
      </div>
      {uploads.length ? (
        <ul className="upload-list" data-testid="upload-list">
          {uploads.map((u) => (
            <li key={u.key} className={u.error ? 'upload-failed' : ''}>
              <span className="upload-name">{u.name}</span>
              {u.error ? (
                <span className="field-error" role="alert">
                  {errorText(u.error)}
                </span>
              ) : (
                <progress max={1} value={u.progress} aria-label={t('documents.progress', { name: u.name })} />
              )}
              {u.done && !u.error ? <Icon name="check" size={16} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function DocumentTable({
  params,
  searching,
  onOpen,
}: {
  params: { folderId?: string; q?: string; trash?: boolean };
  searching: boolean;
  onOpen: (id: string) => void;
}) {
  const { t, dateTime } = useI18n();
  const list = useQuery({ ...documentsQuery(params), placeholderData: keepPreviousData });
  const items = list.data?.items ?? [];
  if (list.isPending) return <Loading />;
  return (
    <>
      <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
      {items.length === 0 && !list.error ? (
        <Empty icon="file">
          {searching ? t('documents.noMatches') : params.trash ? t('documents.trashEmpty') : t('documents.empty')}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="documents-table">
            <thead>
              <tr>
                <th>{t('documents.document')}</th>
                <th className="hide-sm">{t('documents.kind')}</th>
                <th className="hide-sm">{t('field.owner')}</th>
                <th className="hide-md">{t('documents.size')}</th>
                <th className="hide-md">{t('documents.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <DocumentRow key={d.id} d={d} onOpen={onOpen} dateTime={dateTime} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function DocumentRow({
  d,
  onOpen,
  dateTime,
}: {
  d: DocumentSummary;
  onOpen: (id: string) => void;
  dateTime: (iso: string) => string;
}) {
  const { t } = useI18n();
  return (
    <tr data-testid="document-row">
      <td>
        <button type="button" className="doc-title" onClick={() => onOpen(d.id)}>
          {d.title}
        </button>
        {d.tags.length ? (
          <span className="doc-tags">
            {d.tags.map((tag) => (
              <span key={tag} className="badge">
                {tag}
              </span>
            ))}
          </span>
        ) : null}
        {d.highlight.length ? (
          <div className="muted small doc-highlight" data-testid="document-highlight">
            {d.highlight.map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
          </div>
        ) : null}
      </td>
      <td className="hide-sm">{t(`documents.kinds.${d.kind}` as 'documents.kinds.other')}</td>
      <td className="hide-sm muted">{d.ownerName}</td>
      <td className="hide-md muted">{formatSize(d.size)}</td>
      <td className="hide-md muted">{dateTime(d.deletedAt ?? d.updatedAt)}</td>
    </tr>
  );
}

/** A new folder (name, access), or a folder's name and access. */
function FolderDialog({
  parentId,
  folder,
  onClose,
}: {
  parentId?: string | null;
  folder?: DocumentFolder;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { user } = useSession();
  const [name, setName] = useState(folder?.name ?? '');
  const [access, setAccess] = useState<AccessValue>(
    (folder?.access as AccessValue | undefined) ?? { kind: 'inherit', departmentId: null, role: null },
  );
  const create = useCreateFolder();
  const update = useUpdateFolder();
  const busy = create.isPending || update.isPending;
  const mayManage = !folder || user?.role === 'admin' || user?.id === folder.ownerId;
  const save = () => {
    const body = { name: name.trim(), ...(mayManage ? { access: accessBody(access) } : {}) };
    if (folder) update.mutate({ id: folder.id, ...body, version: folder.version }, { onSuccess: onClose });
    else create.mutate({ ...body, parentId: parentId ?? null }, { onSuccess: onClose });
  };
  return (
    <Dialog
      title={folder ? t('documents.folderSettings') : t('documents.newFolder')}
      onClose={onClose}
      testId="folder-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" busy={busy} disabled={!name.trim()} onClick={save} data-testid="folder-save">
            {t('common.save')}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <Field label={t('documents.folderName')} htmlFor="folder-name" required>
          <input
            id="folder-name"
            className="input"
            value={name}
            maxLength={255}
            onChange={(e) => setName(e.target.value)}
            data-testid="folder-name"
          />
        </Field>
        {mayManage ? <AccessPicker value={access} onChange={setAccess} /> : null}
        <ErrorBox error={create.error ?? update.error} />
      </form>
    </Dialog>
  );
}

export const accessBody = (a: AccessValue) => ({
  kind: a.kind,
  departmentId: a.kind === 'department' ? a.departmentId : null,
  role: a.kind === 'role' ? a.role : null,
});
