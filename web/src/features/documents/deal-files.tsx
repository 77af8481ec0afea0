/** The deals' files as a view of the catalog: clients, then a client's deals with their attachments (not copied). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { Empty, ErrorBox, Icon, Loading, formatSize } from '../../ui.js';
import { dealFilesQuery } from './documents-query.js';

export function DealFilesView() {
  const { t } = useI18n();
  const [clientId, setClientId] = useState<string | null>(null);
  const clients = useQuery(dealFilesQuery(null));
  const deals = useQuery({ ...dealFilesQuery(clientId), enabled: !!clientId });
  if (clients.isPending) return <Loading />;
  const list = clients.data?.clients ?? [];
  return (
    <div className="deal-files" data-testid="deal-files">
      <ErrorBox error={clients.error ?? deals.error} />
      {list.length === 0 ? (
        <Empty icon="building">{t('documents.noDealFiles')}</Empty>
      ) : (
        <div className="deal-files-grid">
          <ul className="deal-files-clients">
            {list.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className={`tree-item ${clientId === c.id ? 'active' : ''}`}
                  onClick={() => setClientId(c.id)}
                >
                  <Icon name="building" size={16} /> <span>{c.name}</span> <span className="count">{c.files}</span>
                </button>
              </li>
            ))}
          </ul>
          <div>
            {clientId && deals.isPending ? <Loading /> : null}
            {(deals.data?.deals ?? []).map((d) => (
              <section key={d.id} className="deal-files-deal">
                <h3>
                  <Link to={`/deals/${d.id}`}>{d.title}</Link>
                </h3>
                <ul className="attachments">
                  {d.files.map((f) => (
                    <li key={f.id} className="attachment">
                      <span className="attachment-icon">
                        <Icon name="file" />
                      </span>
                      <div className="attachment-main">
                        <a
                          className="attachment-name"
                          href={`/api/v1/deals/${d.id}/attachments/${f.id}/content`}
                          download={f.fileName}
                        >
                          {f.fileName}
                        </a>
                        <div className="muted small">{formatSize(f.size)}</div>
                      </div>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
