/**
 * The regulations: the latest version of each, started here with the inputs it declares; process owners open one in
 * the modeler or draw a new one.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { useSession } from '../../session.js';
import { Button, Dialog, Empty, ErrorBox, Field, Loading, useErrorText, usePageTitle } from '../../ui.js';
import { regulationsQuery, type Instance, type RegulationVersion } from './regulations-query.js';

export function RegulationsPage() {
  const { t } = useI18n();
  usePageTitle(t('regulations.title'));
  const { user } = useSession();
  const q = useQuery(regulationsQuery());
  const [starting, setStarting] = useState<RegulationVersion | null>(null);
  const designer = user?.role === 'admin' || user?.role === 'process_owner';
  const items = q.data?.items ?? [];
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('regulations.title')}</h1>
        </div>
        {designer ? (
          <Link to="/regulations/new" className="link" data-testid="regulation-new">
            {t('regulations.new')}
          </Link>
        ) : null}
      </header>
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty icon="flow">{t('regulations.empty')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="regulations-table">
            <thead>
              <tr>
                <th>{t('regulations.name')}</th>
                <th>{t('regulations.version')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.key} data-testid="regulation-row" data-key={r.key}>
                  <td>{r.name}</td>
                  <td>{r.version}</td>
                  <td className="actions">
                    <Button size="sm" onClick={() => setStarting(r)} data-testid="regulation-start">
                      {t('regulations.start')}
                    </Button>{' '}
                    {designer ? (
                      <Link to={`/regulations/${encodeURIComponent(r.key)}/edit`} className="link">
                        {t('regulations.edit')}
                      </Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {starting ? <StartDialog regulation={starting} onClose={() => setStarting(null)} /> : null}
    </div>
  );
}

function StartDialog({ regulation, onClose }: { regulation: RegulationVersion; onClose: () => void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const variables = Object.fromEntries(
        regulation.inputs
          .filter((f) => values[f.name] !== undefined && values[f.name] !== '')
          .map((f) => [f.name, f.type === 'number' || f.type === 'money' ? Number(values[f.name]) : values[f.name]]),
      );
      const r = await api.post<Instance>(`/regulations/${encodeURIComponent(regulation.key)}/instances`, {
        variables,
      });
      navigate(`/regulations/instances/${r.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={t('regulations.startTitle', { name: regulation.name })}
      onClose={onClose}
      testId="start-dialog"
      footer={
        <Button variant="primary" busy={busy} onClick={() => void start()} data-testid="start-submit">
          {t('regulations.start')}
        </Button>
      }
    >
      {regulation.inputs.map((f) => (
        <Field key={f.name} label={f.name} htmlFor={`in-${f.name}`} required={f.required}>
          <input
            id={`in-${f.name}`}
            className="input"
            type={f.type === 'number' || f.type === 'money' ? 'number' : 'text'}
            value={values[f.name] ?? ''}
            data-testid={`start-input-${f.name}`}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
          />
        </Field>
      ))}
      {error ? (
        <div className="alert alert-error" role="alert">
          {errorText(error)}
        </div>
      ) : null}
    </Dialog>
  );
}
