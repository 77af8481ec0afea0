/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-js, bpmnlint and moddle objects are untyped JavaScript */
/**
 * One regulation instance: its version's diagram (bpmn-js NavigatedViewer) with the completed, active and failed
 * elements marked, its declared inputs and outputs with their values, its incidents (a process owner retries or skips
 * them) and the audit trail: who did what, when.
 */
import ViewerClass from 'bpmn-js/lib/NavigatedViewer.js';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import { Button, ErrorBox, Loading, useErrorText, usePageTitle, useToast } from '../../ui.js';
import { regulationKeys, type Instance, type InstanceDiagram } from './regulations-query.js';

interface Viewer {
  get: (name: string) => any;
  importXML: (xml: string) => Promise<unknown>;
  destroy: () => void;
}
// bpmn-js is CommonJS-typed: its default export is the class
const NavigatedViewer = ViewerClass as unknown as new (options: Record<string, unknown>) => Viewer;

export function InstancePage({ id }: { id: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: regulationKeys.instance(id),
    queryFn: async () => {
      const [instance, diagram] = await Promise.all([
        api.get<Instance>(`/regulation-instances/${id}`),
        api.get<InstanceDiagram>(`/regulation-instances/${id}/diagram`),
      ]);
      return { instance, diagram };
    },
    // a running instance is read again while it moves
    refetchInterval: (query) => (query.state.data?.instance.status === 'running' ? 3000 : false),
  });
  usePageTitle(q.data?.diagram.name ?? t('regulations.instance'));
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  const { instance, diagram } = q.data;
  const values = instance.variables;
  return (
    <div className="page instance-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{diagram.name}</h1>
          <span className="badge" data-testid="instance-status" data-status={instance.status}>
            {t(`regulations.status.${instance.status}` as 'regulations.status.running')}
          </span>
        </div>
        <Link to="/tasks" className="link">
          {t('tasks.title')}
        </Link>
      </header>
      <Diagram xml={diagram.xml} instance={instance} />
      <div className="instance-grid">
        <FieldsCard title={t('regulations.inputs')} fields={diagram.inputs} values={values} testId="instance-inputs" />
        <FieldsCard
          title={t('regulations.outputs')}
          fields={diagram.outputs}
          values={values}
          testId="instance-outputs"
        />
      </div>
      {instance.incidents.length ? <Incidents instance={instance} /> : null}
      <section className="card">
        <h2>{t('regulations.trail')}</h2>
        <ol className="trail" data-testid="instance-trail">
          {diagram.trail.map((e, i) => (
            <li key={i}>
              <TrailLine entry={e} />
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function TrailLine({ entry }: { entry: InstanceDiagram['trail'][number] }) {
  const { t, dateTime } = useI18n();
  return (
    <>
      <span className="muted">{dateTime(entry.at)}</span>{' '}
      {t(`regulations.trail.${entry.kind}`, {
        name: entry.name ?? '',
        who: entry.actorName ?? t('regulations.trail.system'),
        status: entry.status ? t(`regulations.status.${entry.status}` as 'regulations.status.running') : '',
      })}
    </>
  );
}

function FieldsCard({
  title,
  fields,
  values,
  testId,
}: {
  title: string;
  fields: InstanceDiagram['inputs'];
  values: Record<string, unknown>;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <section className="card" data-testid={testId}>
      <h2>{title}</h2>
      {fields.length === 0 ? (
        <p className="muted">{t('regulations.noFields')}</p>
      ) : (
        <dl className="fields">
          {fields.map((f) => (
            <div key={f.name} data-field={f.name}>
              <dt>{f.name}</dt>
              <dd>{values[f.name] === undefined ? '—' : String(values[f.name] as string)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function Incidents({ instance }: { instance: Instance }) {
  const { t } = useI18n();
  const { user } = useSession();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const toast = useToast();
  const owner = user?.role === 'admin' || user?.role === 'process_owner';
  const resolve = async (tokenId: string, action: 'retry' | 'skip') => {
    try {
      await api.post(`/regulation-instances/${instance.id}/incidents/resolve`, { tokenId, action });
      await qc.invalidateQueries({ queryKey: regulationKeys.instance(instance.id) });
    } catch (e) {
      toast('error', errorText(e));
    }
  };
  return (
    <section className="card" data-testid="instance-incidents">
      <h2>{t('regulations.incidents')}</h2>
      <ul>
        {instance.incidents.map((i) => (
          <li key={i.tokenId}>
            <strong>{i.node}</strong> <span className="muted">{i.message}</span>
            {owner ? (
              <>
                {' '}
                <Button size="sm" onClick={() => void resolve(i.tokenId, 'retry')}>
                  {t('regulations.retry')}
                </Button>{' '}
                <Button size="sm" onClick={() => void resolve(i.tokenId, 'skip')}>
                  {t('regulations.skip')}
                </Button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The diagram, read-only: done elements green, active ones blue, failed ones red. */
function Diagram({ xml, instance }: { xml: string; instance: Instance }) {
  const ref = useRef<HTMLDivElement>(null);
  const viewer = useRef<Viewer | null>(null);
  const [ready, setReady] = useState(0);
  useEffect(() => {
    const v = new NavigatedViewer({ container: ref.current! });
    viewer.current = v;
    void v.importXML(xml).then(() => {
      (v.get('canvas') as { zoom: (z: string) => void }).zoom('fit-viewport');
      setReady((n) => n + 1);
    });
    return () => {
      viewer.current = null;
      v.destroy();
    };
  }, [xml]);
  useEffect(() => {
    const v = viewer.current;
    if (!v || !ready) return;
    const canvas = v.get('canvas') as {
      addMarker: (id: string, m: string) => void;
      removeMarker: (id: string, m: string) => void;
    };
    const registry = v.get('elementRegistry') as { get: (id: string) => unknown; getAll: () => { id: string }[] };
    for (const el of registry.getAll()) {
      for (const m of ['df-done', 'df-active', 'df-failed']) canvas.removeMarker(el.id, m);
    }
    const mark = (id: string, m: string) => {
      if (registry.get(id)) canvas.addMarker(id, m);
    };
    instance.completedNodes.forEach((id) => mark(id, 'df-done'));
    instance.activeNodes.forEach((id) => mark(id, 'df-active'));
    instance.incidents.forEach((i) => mark(i.node, 'df-failed'));
  }, [ready, instance]);
  return (
    <div
      ref={ref}
      className="bpmn-canvas"
      data-testid="instance-diagram"
      data-active={instance.activeNodes.join(' ')}
      data-completed={instance.completedNodes.join(' ')}
    />
  );
}
