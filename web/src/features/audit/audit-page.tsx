/** The audit log for administrators: who signed in, changed roles, shared, exported or removed what, and when. */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { AuditEntry, AuditKind } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { Button, Empty, ErrorBox, Field, Loading, Spinner, usePageTitle } from '../../ui.js';
import { AUDIT_KINDS, EMPTY_AUDIT_FILTER, auditQuery, type AuditFilter } from './audit-query.js';

export function AuditPage() {
  const { t } = useI18n();
  usePageTitle(t('audit.title'));
  const [filter, setFilter] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const q = useInfiniteQuery(auditQuery(filter));
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const ids = { kind: useId(), from: useId(), to: useId() };
  const filtered = filter.kind !== '' || filter.from !== '' || filter.to !== '';
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('audit.title')}</h1>
        </div>
      </header>
      <div className="toolbar audit-filter" data-testid="audit-filter">
        <Field label={t('audit.kind')} htmlFor={ids.kind}>
          <select
            id={ids.kind}
            className="input"
            value={filter.kind}
            data-testid="audit-kind"
            onChange={(e) => setFilter({ ...filter, kind: e.target.value as AuditKind | '' })}
          >
            <option value="">{t('audit.allKinds')}</option>
            {AUDIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`audit.kind.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('audit.from')} htmlFor={ids.from}>
          <input
            id={ids.from}
            className="input"
            type="datetime-local"
            value={filter.from}
            data-testid="audit-from"
            onChange={(e) => setFilter({ ...filter, from: e.target.value })}
          />
        </Field>
        <Field label={t('audit.to')} htmlFor={ids.to}>
          <input
            id={ids.to}
            className="input"
            type="datetime-local"
            value={filter.to}
            data-testid="audit-to"
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
          />
        </Field>
        {filtered ? (
          <Button variant="ghost" onClick={() => setFilter(EMPTY_AUDIT_FILTER)}>
            {t('filter.reset')}
          </Button>
        ) : null}
        {q.isFetching && items.length ? <Spinner /> : null}
      </div>
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? (
        <Loading />
      ) : items.length === 0 && !q.error ? (
        <Empty icon="file">{t('audit.empty')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>{t('audit.time')}</th>
                <th>{t('audit.kind')}</th>
                <th>{t('audit.actor')}</th>
                <th>{t('audit.subject')}</th>
                <th className="hide-sm">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <AuditRow key={e.id} entry={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {q.hasNextPage ? (
        <div className="center mt-4">
          <Button onClick={() => void q.fetchNextPage()} busy={q.isFetchingNextPage} data-testid="audit-more">
            {t('common.loadMore')}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const { t, dateTime } = useI18n();
  return (
    <tr data-testid="audit-row" data-kind={e.kind}>
      <td className="nowrap">
        <time dateTime={e.at} title={e.at}>
          {dateTime(e.at)}
        </time>
      </td>
      <td>{t(`audit.kind.${e.kind}`)}</td>
      <td>
        <div>{e.actorEmail ?? (e.actorId ? <code className="small">{e.actorId}</code> : t('common.unknownUser'))}</div>
        {e.ip ? <div className="muted small">{e.ip}</div> : null}
      </td>
      <td>
        <Subject entry={e} />
      </td>
      <td className="hide-sm small">
        <Details details={e.details} />
      </td>
    </tr>
  );
}

const SUBJECT_PATHS: Record<string, string> = { deal: '/deals/', client: '/clients/' };

function Subject({ entry: e }: { entry: AuditEntry }) {
  const { t } = useI18n();
  if (!e.subjectType || !e.subjectId) return <span className="muted">{t('common.none')}</span>;
  const label = t('audit.subjectLabel', { type: e.subjectType, id: e.subjectId.slice(0, 8) });
  const base = SUBJECT_PATHS[e.subjectType];
  return base ? (
    <Link to={`${base}${e.subjectId}`} className="link" title={e.subjectId}>
      {label}
    </Link>
  ) : (
    <span title={e.subjectId}>{label}</span>
  );
}

/** The details as short key: value pairs; long values are cut, the full text stays in the tooltip. */
function Details({ details }: { details: Record<string, unknown> }) {
  const { t } = useI18n();
  const pairs = Object.entries(details);
  if (!pairs.length) return <span className="muted">{t('common.none')}</span>;
  const full = pairs.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return (
    <span className="audit-details" title={full.join('\n')}>
      {full.map((line) => (
        <span key={line} className="audit-detail">
          {line.length > 60 ? `${line.slice(0, 59)}…` : line}
        </span>
      ))}
    </span>
  );
}
