/**
 * The task inbox: the tasks assigned to me or held by me, my department's (or role's) unclaimed tasks with claim and
 * give back, due and overdue marked; a task opens with its form (form-js), checked again on the server.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { ApiError, api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import { Button, Empty, ErrorBox, Loading, useErrorText, usePageTitle, useToast } from '../../ui.js';
import {
  overdue,
  regulationKeys,
  tasksQuery,
  type FieldError,
  type Task,
  type TaskDetail,
} from './regulations-query.js';
import { TaskForm, type TaskFormHandle } from './task-form.js';

export function InboxPage() {
  const { t } = useI18n();
  usePageTitle(t('tasks.title'));
  const { user } = useSession();
  const q = useQuery(tasksQuery());
  const [open, setOpen] = useState<string | null>(null);
  const items = q.data?.items ?? [];
  const mine = items.filter((x) => x.claimedBy === user?.id || x.assignee === user?.id);
  const group = items.filter((x) => x.claimedBy === null && x.assignee !== user?.id);
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('tasks.title')}</h1>
        </div>
        <Link to="/regulations" className="link">
          {t('regulations.title')}
        </Link>
      </header>
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? (
        <Loading />
      ) : (
        <div className="inbox">
          <TaskList title={t('tasks.mine')} testId="tasks-mine" items={mine} open={open} setOpen={setOpen} />
          <TaskList title={t('tasks.group')} testId="tasks-group" items={group} open={open} setOpen={setOpen} />
        </div>
      )}
    </div>
  );
}

function TaskList({
  title,
  items,
  testId,
  open,
  setOpen,
}: {
  title: string;
  items: Task[];
  testId: string;
  open: string | null;
  setOpen: (id: string | null) => void;
}) {
  const { t, dateTime } = useI18n();
  return (
    <section className="inbox-section" data-testid={testId}>
      <h2>
        {title} <span className="badge">{items.length}</span>
      </h2>
      {items.length === 0 ? (
        <Empty icon="check">{t('tasks.empty')}</Empty>
      ) : (
        <ul className="task-list">
          {items.map((task) => (
            <li key={task.id} className="task-row" data-testid="task-row" data-node={task.nodeId}>
              <div className="task-head">
                <button
                  type="button"
                  className="link task-name"
                  onClick={() => setOpen(open === task.id ? null : task.id)}
                >
                  {task.name}
                </button>
                <span className="task-key">{task.key}</span>
                {task.dueAt ? (
                  <span className={`badge ${overdue(task) ? 'badge-danger' : ''}`} data-testid="task-due">
                    {overdue(task)
                      ? t('tasks.overdue', { date: dateTime(task.dueAt) })
                      : t('tasks.due', { date: dateTime(task.dueAt) })}
                  </span>
                ) : null}
                <Link to={`/regulations/instances/${task.instanceId}`} className="link">
                  {t('tasks.diagram')}
                </Link>
                <ClaimButton task={task} />
              </div>
              {open === task.id ? <TaskPanel id={task.id} onDone={() => setOpen(null)} /> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ClaimButton({ task }: { task: Task }) {
  const { t } = useI18n();
  const { user } = useSession();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  if (task.assignee === user?.id) return null;
  const mine = task.claimedBy === user?.id;
  const go = async () => {
    setBusy(true);
    try {
      await api.post(`/tasks/${task.id}/${mine ? 'unclaim' : 'claim'}`);
      await qc.invalidateQueries({ queryKey: regulationKeys.tasks });
    } catch (e) {
      toast('error', errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="sm" busy={busy} onClick={() => void go()} data-testid={mine ? 'task-unclaim' : 'task-claim'}>
      {mine ? t('tasks.unclaim') : t('tasks.claim')}
    </Button>
  );
}

function TaskPanel({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const q = useQuery({ queryKey: regulationKeys.task(id), queryFn: () => api.get<TaskDetail>(`/tasks/${id}`) });
  const [form, setForm] = useState<TaskFormHandle | null>(null);
  const handle = useCallback((h: TaskFormHandle | null) => setForm(h), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  const detail = q.data;
  const complete = async () => {
    const values = detail.form ? form?.submit() : {};
    if (!values) return;
    setBusy(true);
    setError(null);
    setFieldErrors([]);
    try {
      await api.post(`/tasks/${id}/complete`, { variables: values });
      await qc.invalidateQueries({ queryKey: regulationKeys.tasks });
      onDone();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'TASK_FORM_INVALID' && Array.isArray(e.body.errors)) {
        setFieldErrors(e.body.errors as FieldError[]);
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const labelOf = (key: string) => {
    const c = ((detail.form?.components as { key?: string; label?: string }[] | undefined) ?? []).find(
      (x) => x.key === key,
    );
    return c?.label ?? key;
  };
  return (
    <div className="task-panel" data-testid="task-panel">
      {detail.form ? (
        <TaskForm schema={detail.form} data={detail.variables} handle={handle} />
      ) : (
        <p className="muted">{t('tasks.noForm')}</p>
      )}
      {error ? (
        <div className="alert alert-error" role="alert">
          {errorText(error)}
        </div>
      ) : null}
      {fieldErrors.length ? (
        <ul className="field-errors" data-testid="task-field-errors">
          {fieldErrors.map((f) => (
            <li key={f.field}>
              {labelOf(f.field)}: {t(`tasks.fieldError.${f.message}` as 'tasks.fieldError.required')}
            </li>
          ))}
        </ul>
      ) : null}
      <Button variant="primary" busy={busy} onClick={() => void complete()} data-testid="task-complete">
        {t('tasks.complete')}
      </Button>
    </div>
  );
}
