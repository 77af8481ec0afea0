/** The deal's documents: the list (download, remove) and an upload with its document kind. */
import { useRef, useState } from 'react';
import { ApiError, type Attachment, type DealDetail, type Stage } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useLabels } from '../../labels.js';
import { useRefData } from '../../session.js';
import { Button, Card, Dialog, Empty, ErrorBox, Icon, formatSize, useToast } from '../../ui.js';
import { useRemoveAttachment, useUploadAttachment } from './deal-query.js';

export function DealDocumentsCard({
  deal,
  stages,
  onStale,
}: {
  deal: DealDetail;
  stages: Stage[];
  /** an upload refused because the deal changed meanwhile (409): read it again */
  onStale: () => void;
}) {
  const { t, dateTime } = useI18n();
  const toast = useToast();
  const { documentKinds } = useRefData();
  const { kindName } = useLabels();
  const [kind, setKind] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [removing, setRemoving] = useState<Attachment | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const currentRequired = new Set(stages.find((s) => s.id === deal.stageId)?.requiredDocumentKinds ?? []);
  const uploading = useUploadAttachment(deal.id);
  const busy = uploading.isPending;
  const error = uploading.error;

  function upload() {
    if (!file) return;
    uploading.mutate(
      { file, kindId: kind || null, version: deal.version },
      {
        onSuccess: () => {
          toast('ok', t('deal.uploaded', { name: file.name }));
          setFile(null);
          if (fileInput.current) fileInput.current.value = '';
        },
        onError: (e) => {
          if (e instanceof ApiError && e.status === 409) onStale();
        },
      },
    );
  }

  return (
    <Card
      title={
        <>
          {t('deal.attachments')} <span className="count">{deal.attachments.length}</span>
        </>
      }
      testId="deal-attachments"
    >
      {deal.attachments.length === 0 ? (
        <Empty icon="file">{t('deal.noAttachments')}</Empty>
      ) : (
        <ul className="attachments">
          {deal.attachments.map((a) => (
            <li key={a.id} className="attachment" data-testid="attachment">
              <span className="attachment-icon">
                <Icon name="file" />
              </span>
              <div className="attachment-main">
                <a
                  className="attachment-name"
                  href={`/api/v1/deals/${deal.id}/attachments/${a.id}/content`}
                  download={a.fileName}
                >
                  {a.fileName}
                </a>
                <div className="muted small">
                  {a.documentKindId ? (
                    <span className={`badge ${currentRequired.has(a.documentKindId) ? 'badge-blue' : ''}`}>
                      {kindName(a.documentKindId, '?')}
                    </span>
                  ) : null}{' '}
                  {formatSize(a.size)} · {dateTime(a.createdAt)}
                </div>
              </div>
              <a
                className="icon-btn"
                href={`/api/v1/deals/${deal.id}/attachments/${a.id}/content`}
                download={a.fileName}
                aria-label={t('deal.download')}
                title={t('deal.download')}
              >
                <Icon name="download" />
              </a>
              <button
                type="button"
                className="icon-btn icon-btn-danger"
                aria-label={t('common.remove')}
                title={t('common.remove')}
                onClick={() => setRemoving(a)}
                data-testid="attachment-remove"
              >
                <Icon name="trash" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="upload-row"
        onSubmit={(e) => {
          e.preventDefault();
          upload();
        }}
      >
        <select
          className="input"
          aria-label={t('deal.documentKind')}
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          data-testid="upload-kind"
        >
          <option value="">{t('deal.otherDocument')}</option>
          {documentKinds.map((k) => (
            <option key={k.id} value={k.id}>
              {kindName(k.id, k.name)}
            </option>
          ))}
        </select>
        <label className="file-pick">
          <Icon name="file" size={16} />
          <span className="file-pick-name">{file ? file.name : t('deal.chooseFile')}</span>
          <input
            ref={fileInput}
            type="file"
            className="sr-only"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="upload-file"
          />
        </label>
        <Button variant="primary" type="submit" icon="upload" busy={busy} disabled={!file}>
          {busy ? t('deal.uploading') : t('deal.upload')}
        </Button>
      </form>
      <ErrorBox error={error} />
      {removing ? (
        <RemoveAttachment
          deal={deal}
          attachment={removing}
          onClose={() => setRemoving(null)}
          onDone={() => {
            setRemoving(null);
            toast('ok', t('deal.removed'));
          }}
        />
      ) : null}
    </Card>
  );
}

function RemoveAttachment({
  deal,
  attachment,
  onClose,
  onDone,
}: {
  deal: DealDetail;
  attachment: Attachment;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const remove = useRemoveAttachment(deal.id);
  const busy = remove.isPending;
  const error = remove.error;
  const go = () => remove.mutate(attachment.id, { onSuccess: onDone });
  return (
    <Dialog
      title={t('common.remove')}
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="danger" busy={busy} onClick={go} data-testid="attachment-remove-confirm">
            {t('common.remove')}
          </Button>
        </>
      }
    >
      <p>{t('deal.removeConfirm', { name: attachment.fileName })}</p>
      <ErrorBox error={error} />
    </Dialog>
  );
}
