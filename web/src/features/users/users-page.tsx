/** Users and departments for administrators, as two tabs of one page. */
import { useQuery } from '@tanstack/react-query';
import { useI18n } from '../../i18n/index.js';
import { navigate, useLocation } from '../../router.js';
import { Icon, usePageTitle } from '../../ui.js';
import { DepartmentsTab } from '../departments/departments-tab.js';
import { departmentsQuery } from '../departments/departments-query.js';
import { UsersTab } from './users-tab.js';

export function UsersAdminPage() {
  const { t } = useI18n();
  usePageTitle(t('users.title'));
  const { query } = useLocation();
  const tab = query.get('tab') === 'departments' ? 'departments' : 'users';
  const departments = useQuery(departmentsQuery);
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('users.title')}</h1>
        </div>
      </header>
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'users'}
          className={`tab ${tab === 'users' ? 'active' : ''}`}
          onClick={() => navigate('/admin/users')}
        >
          <Icon name="users" size={16} /> {t('users.tabUsers')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'departments'}
          className={`tab ${tab === 'departments' ? 'active' : ''}`}
          onClick={() => navigate('/admin/users?tab=departments')}
        >
          <Icon name="building" size={16} /> {t('users.tabDepartments')}
        </button>
      </div>
      {tab === 'users' ? (
        <UsersTab departments={departments.data ?? []} />
      ) : (
        <DepartmentsTab
          departments={departments.data}
          error={departments.error}
          loading={departments.isPending}
          reload={() => void departments.refetch()}
        />
      )}
    </div>
  );
}
