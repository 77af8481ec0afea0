/** Board | List: the same deals, filters and pipeline, seen as columns of stages or as a table. */
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { Icon } from '../../ui.js';

export function ViewSwitch({ pipelineId, current }: { pipelineId: string | null; current: 'board' | 'list' }) {
  const { t } = useI18n();
  const suffix = pipelineId ? `?pipeline=${pipelineId}` : '';
  const views = [
    { id: 'board', to: `/deals${suffix}`, icon: 'board', label: t('view.board') },
    { id: 'list', to: `/deals/list${suffix}`, icon: 'menu', label: t('view.list') },
  ] as const;
  return (
    <nav className="view-switch" aria-label={t('view.title')} data-testid="view-switch">
      {views.map((v) => (
        <Link
          key={v.id}
          to={v.to}
          className="view-switch-item"
          aria-current={v.id === current ? 'page' : undefined}
          data-testid={`view-${v.id}`}
        >
          <Icon name={v.icon} size={14} /> {v.label}
        </Link>
      ))}
    </nav>
  );
}
