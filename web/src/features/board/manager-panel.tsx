/**
 * For a lead (and an administrator): the board's figures by manager — for each manager in the visible scope, the
 * count and total per stage and overall (GET /deals/board/managers, from the kept totals when the filter allows).
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, qs, type ManagersData, type MoneyTotal, type Pipeline } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { formatTotals } from '../../labels.js';
import { qk } from '../../query.js';
import { ErrorBox, Loading } from '../../ui.js';
import { filterParams, type BoardFilter } from './board-query.js';
import { CompanyTotalView } from './column-totals.js';

export function ManagerPanel({ pipeline, filter }: { pipeline: Pipeline; filter: BoardFilter }) {
  const { t, name } = useI18n();
  const q = useQuery({
    queryKey: qk.managers(pipeline.id, filter),
    queryFn: () =>
      api.get<ManagersData>(`/deals/board/managers${qs({ pipelineId: pipeline.id, ...filterParams(filter) })}`),
    placeholderData: keepPreviousData,
  });
  const data = q.data?.pipelineId === pipeline.id ? q.data : undefined;
  return (
    <section className="manager-panel" aria-label={t('board.byManager')} data-testid="manager-panel">
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? (
        <Loading />
      ) : !data ? null : data.managers.length === 0 ? (
        <p className="muted">{t('managers.none')}</p>
      ) : (
        <div className="manager-table-wrap">
          <table className="manager-table">
            <thead>
              <tr>
                <th scope="col">{t('managers.manager')}</th>
                {pipeline.stages.map((s) => (
                  <th scope="col" key={s.id}>
                    {name(s)}
                  </th>
                ))}
                <th scope="col">{t('managers.total')}</th>
              </tr>
            </thead>
            <tbody>
              {data.managers.map((m) => (
                <tr key={m.ownerId} data-testid="manager-row" data-owner-id={m.ownerId}>
                  <th scope="row">{m.ownerName}</th>
                  {pipeline.stages.map((s) => {
                    const c = m.stages.find((x) => x.stageId === s.id);
                    return (
                      <td key={s.id} data-testid="manager-cell">
                        <Figures
                          count={c?.count ?? 0}
                          totals={c?.totals ?? []}
                          company={c?.companyTotal ?? null}
                          probability={s.winProbability}
                        />
                      </td>
                    );
                  })}
                  <td data-testid="manager-total">
                    <Figures count={m.count} totals={m.totals} company={m.companyTotal} probability={null} strong />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && data.managers.length ? <p className="muted small">{t('managers.note')}</p> : null}
    </section>
  );
}

function Figures({
  count,
  totals,
  company,
  probability,
  strong,
}: {
  count: number;
  totals: MoneyTotal[];
  company: ManagersData['managers'][number]['companyTotal'];
  probability: number | null;
  strong?: boolean;
}) {
  const { t, number, money } = useI18n();
  if (!count) return <span className="muted">—</span>;
  return (
    <div className={`manager-figures ${strong ? 'strong' : ''}`}>
      <span className="manager-count" data-testid="manager-count" aria-label={t('board.dealCount', { count })}>
        {number(count)}
      </span>
      {company ? (
        <CompanyTotalView total={company} probability={probability} />
      ) : (
        <span>{formatTotals(totals, money)}</span>
      )}
    </div>
  );
}
