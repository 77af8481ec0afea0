/**
 * Starting a regulation from the deal: its inputs are pre-filled on the server from the deal's fields of the same
 * names (or the field an input names), the instance is linked to the deal — its outputs are written back when it
 * ends and its steps show in the deal's history. A regulation missing an input the deal cannot give is refused
 * with the inputs named (422 REGULATION_INPUT_MISSING); start it from the regulations page then.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type DealDetail } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { navigate } from '../../router.js';
import { Button, Card, useErrorText } from '../../ui.js';
import { regulationsQuery, type Instance } from '../regulations/regulations-query.js';

export function DealRegulationsCard({ deal }: { deal: DealDetail }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const list = useQuery(regulationsQuery());
  const items = list.data?.items ?? [];
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!items.length || deal.archivedAt) return null;
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<Instance>(`/regulations/${encodeURIComponent(key)}/instances`, {
        variables: {},
        dealId: deal.id,
      });
      navigate(`/regulations/instances/${r.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Card title={t('deal.regulations')} testId="deal-regulations">
      <div className="row">
        <select
          className="input"
          value={key}
          aria-label={t('deal.regulationPick')}
          data-testid="deal-regulation-pick"
          onChange={(e) => setKey(e.target.value)}
        >
          <option value="">{t('deal.regulationPick')}</option>
          {items.map((r) => (
            <option key={r.key} value={r.key}>
              {r.name}
            </option>
          ))}
        </select>{' '}
        <Button disabled={!key} busy={busy} onClick={() => void start()} data-testid="deal-regulation-start">
          {t('deal.regulationStart')}
        </Button>
      </div>
      {error ? (
        <div className="alert alert-error" role="alert">
          {errorText(error)}
        </div>
      ) : null}
    </Card>
  );
}
