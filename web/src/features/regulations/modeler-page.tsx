/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- bpmn-js, bpmnlint and moddle objects are untyped JavaScript */
/**
 * The modeler for process owners (bpmn-js, this page's own chunk): the palette limited to what the interpreter runs,
 * bpmnlint flagging what the compiler would refuse while drawing, a properties panel writing Dealflow's BPMN
 * extension (assignee, candidate groups, form, due; service; conditions; the regulation's inputs and outputs), task
 * forms drawn in the form-js editor and embedded in the file, import and export of BPMN files, and publish: what the
 * server refuses is marked on its element.
 */
import ModelerClass from 'bpmn-js/lib/Modeler.js';
import lintModule from 'bpmn-js-bpmnlint';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import dealflow from '../../../../bpmn/dealflow-moddle.json' with { type: 'json' };
import { useEffect, useReducer, useRef, useState } from 'react';
import { ApiError, api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { Button, ErrorBox, useErrorText, usePageTitle, useToast } from '../../ui.js';
import { FormEditorDialog } from './form-editor.js';
import { lintConfig } from './lint-rules.js';
import { limitsModule } from './modeler-limits.js';
import type { Problem, RegulationVersion } from './regulations-query.js';
import { PropertiesPanel } from './properties-panel.js';

const EMPTY = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="https://dealflow.dev/regulations">
  <bpmn:process id="new_regulation" name="New regulation" isExecutable="true">
    <bpmn:startEvent id="start" name="Request" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="new_regulation">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

/** The compiler's refusals the modeler names in the user's language (others: "this element cannot run"). */
const KNOWN_PROBLEMS = new Set([
  'BPMN_UNSUPPORTED',
  'BPMN_UNREACHABLE',
  'BPMN_DEAD_END',
  'BPMN_GATEWAY_CONDITION_MISSING',
  'BPMN_USER_TASK_UNASSIGNED',
  'BPMN_USER_TASK_NO_FORM',
  'BPMN_INVALID_FEEL',
  'BPMN_INVALID_TIMER',
  'BPMN_SERVICE_NOT_ALLOWED',
  'BPMN_OUTPUT_NOT_PRODUCED',
  'BPMN_INVALID_FORM',
  'BPMN_NO_START',
]);

export interface AnyModeler {
  get: (name: string) => any;
  importXML: (xml: string) => Promise<unknown>;
  saveXML: (opts: { format: boolean }) => Promise<{ xml?: string }>;
  destroy: () => void;
}
// bpmn-js is CommonJS-typed: its default export is the class
const Modeler = ModelerClass as unknown as new (options: Record<string, unknown>) => AnyModeler;

export function ModelerPage({ id }: { id: string }) {
  const { t } = useI18n();
  usePageTitle(t('modeler.title'));
  const key = id === 'new' ? null : id;
  const host = useRef<HTMLDivElement>(null);
  const [modeler, setModeler] = useState<AnyModeler | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const [published, setPublished] = useState<RegulationVersion | null>(null);
  const [editingForm, setEditingForm] = useState<string | null>(null);
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const errorText = useErrorText();
  const toast = useToast();

  useEffect(() => {
    const m = new Modeler({
      container: host.current!,
      additionalModules: [lintModule, limitsModule],
      moddleExtensions: { dealflow, zeebe },
      linting: { bpmnlint: lintConfig, active: true },
    });
    let live = true;
    const load = async () => {
      let xml = EMPTY;
      if (key) {
        const r = await fetch(`/api/v1/regulations/${encodeURIComponent(key)}/versions/latest/bpmn`, {
          credentials: 'same-origin',
        });
        if (!r.ok) throw new ApiError(r.status, 'NOT_FOUND', '', { status: r.status, code: 'NOT_FOUND' } as never);
        xml = await r.text();
      }
      await m.importXML(xml);
      if (!live) return;
      fit(m);
      setModeler(m);
    };
    load().catch((e: unknown) => live && setLoadError(e));
    return () => {
      live = false;
      m.destroy();
    };
  }, [key]);

  const clearMarks = () => {
    if (!modeler) return;
    const canvas = modeler.get('canvas');
    for (const p of problems)
      if (p.elementId && modeler.get('elementRegistry').get(p.elementId))
        canvas.removeMarker(p.elementId, 'df-problem');
    modeler.get('overlays').remove({ type: 'df-problem' });
  };

  const importFile = async (file: File) => {
    if (!modeler) return;
    clearMarks();
    setProblems([]);
    try {
      await modeler.importXML(await file.text());
      fit(modeler);
      bump();
    } catch {
      toast('error', t('modeler.importFailed'));
    }
  };

  const exportFile = async () => {
    if (!modeler) return;
    const { xml } = await modeler.saveXML({ format: true });
    const root = modeler.get('canvas').getRootElement().businessObject;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([xml!], { type: 'application/xml' }));
    a.download = `${root.id ?? 'regulation'}.bpmn`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const publish = async () => {
    if (!modeler) return;
    clearMarks();
    setProblems([]);
    setPublished(null);
    setBusy(true);
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const v = await api.post<RegulationVersion>('/regulations', { xml });
      setPublished(v);
      toast('ok', t('modeler.published', { name: v.name, version: v.version }));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'REGULATION_INVALID' && Array.isArray(e.body.problems)) {
        const list = e.body.problems as Problem[];
        setProblems(list);
        const registry = modeler.get('elementRegistry');
        const canvas = modeler.get('canvas');
        const overlays = modeler.get('overlays');
        for (const p of list) {
          if (!p.elementId || !registry.get(p.elementId) || registry.get(p.elementId).type === 'bpmn:Process') continue;
          canvas.addMarker(p.elementId, 'df-problem');
          const badge = document.createElement('div');
          badge.className = 'df-problem-badge';
          badge.textContent = '!';
          badge.title = problemText(p);
          badge.dataset.testid = 'problem-marker';
          overlays.add(p.elementId, 'df-problem', { position: { top: -10, right: 10 }, html: badge });
        }
      } else toast('error', errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const problemText = (p: Problem) =>
    KNOWN_PROBLEMS.has(p.code) ? t(`modeler.problem.${p.code}` as 'modeler.problem.other') : t('modeler.problem.other');

  if (loadError) return <ErrorBox error={loadError} onRetry={() => location.reload()} />;
  return (
    <div className="page modeler-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('modeler.title')}</h1>
        </div>
        <div className="toolbar">
          <label className="btn-file">
            <span>{t('modeler.import')}</span>
            <input
              type="file"
              accept=".bpmn,.xml,application/xml,text/xml"
              data-testid="modeler-import"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void importFile(f);
                e.target.value = '';
              }}
            />
          </label>
          <Button onClick={() => void exportFile()} data-testid="modeler-export">
            {t('modeler.export')}
          </Button>
          <Button variant="primary" busy={busy} onClick={() => void publish()} data-testid="modeler-publish">
            {t('modeler.publish')}
          </Button>
          <Link to="/regulations" className="link">
            {t('regulations.title')}
          </Link>
        </div>
      </header>
      {published ? (
        <div className="alert alert-success" data-testid="modeler-published">
          {t('modeler.published', { name: published.name, version: published.version })}{' '}
          <button type="button" className="link" onClick={() => navigate('/regulations')}>
            {t('regulations.title')}
          </button>
        </div>
      ) : null}
      {problems.length ? (
        <div className="alert alert-error" role="alert" data-testid="modeler-problems">
          <strong>{t('modeler.problems', { count: problems.length })}</strong>
          <ul>
            {problems.map((p, i) => (
              <li key={i} data-element={p.elementId ?? ''}>
                {p.elementId ? <code>{p.elementId}</code> : null} {problemText(p)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="modeler-body">
        <div ref={host} className="bpmn-canvas modeler-canvas" data-testid="modeler-canvas" />
        {modeler ? <PropertiesPanel modeler={modeler} onEditForm={setEditingForm} /> : null}
      </div>
      {editingForm && modeler ? (
        <FormEditorDialog
          formId={editingForm}
          schema={formSchema(modeler, editingForm)}
          onClose={() => setEditingForm(null)}
          onSave={(schema) => {
            saveForm(modeler, editingForm, schema);
            setEditingForm(null);
          }}
        />
      ) : null}
    </div>
  );
}

/** The whole diagram in view, clear of the palette on its left. */
function fit(m: AnyModeler) {
  const canvas = m.get('canvas');
  canvas.zoom('fit-viewport');
  canvas.scroll({ dx: 60, dy: 20 });
}

/** The process's extension elements (created when missing), through the command stack (undo works). */
export function processExtensions(modeler: AnyModeler): any {
  const root = modeler.get('canvas').getRootElement();
  const bo = root.businessObject;
  if (!bo.extensionElements) {
    const ext = modeler.get('moddle').create('bpmn:ExtensionElements', { values: [] });
    modeler.get('modeling').updateModdleProperties(root, bo, { extensionElements: ext });
  }
  return bo.extensionElements;
}

function formSchema(modeler: AnyModeler, formId: string): Record<string, unknown> | null {
  const ext = modeler.get('canvas').getRootElement().businessObject.extensionElements;
  const el = (ext?.values ?? []).find((v: any) => v.$type === 'zeebe:UserTaskForm' && v.id === formId);
  try {
    return el?.body ? (JSON.parse(el.body) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Embeds a form in the file, as Camunda Modeler 8 does: a zeebe:userTaskForm named by the form key. */
function saveForm(modeler: AnyModeler, formId: string, schema: Record<string, unknown>) {
  const root = modeler.get('canvas').getRootElement();
  const ext = processExtensions(modeler);
  const modeling = modeler.get('modeling');
  const existing = (ext.values ?? []).find((v: any) => v.$type === 'zeebe:UserTaskForm' && v.id === formId);
  const body = JSON.stringify(schema);
  if (existing) modeling.updateModdleProperties(root, existing, { body });
  else {
    const el = modeler.get('moddle').create('zeebe:UserTaskForm', { id: formId, body });
    modeling.updateModdleProperties(root, ext, { values: [...(ext.values ?? []), el] });
  }
}
