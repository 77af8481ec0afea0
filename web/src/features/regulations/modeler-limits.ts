/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- bpmn-js, bpmnlint and moddle objects are untyped JavaScript */
/**
 * What the modeler offers is what the interpreter runs (bpmn/compile.ts): the palette, the context pad and the replace
 * menu keep only the supported elements; a task is created as a user or service task, never an untyped one.
 */

const REPLACE_ALLOWED = new Set(
  [
    'none-start',
    'none-end',
    'terminate-end',
    'error-end',
    'user-task',
    'service-task',
    'send-task',
    'receive-task',
    'call-activity',
    'exclusive-gateway',
    'parallel-gateway',
    'expanded-subprocess',
    'timer-intermediate-catch',
    'timer-boundary',
    'non-interrupting-timer-boundary',
    'error-boundary',
    'sequence-flow',
    'default-flow',
    'conditional-flow',
  ].map((x) => `replace-with-${x}`),
);
const PALETTE_DROPPED = [
  'create.task',
  'create.data-object',
  'create.data-store',
  'create.participant-expanded',
  'create.group',
];
const PAD_ALLOWED =
  /^(append\.(end-event|gateway|append-task|timer-intermediate-event|receive-task|text-annotation)|connect|delete|replace)$/;

function Limits(
  this: unknown,
  palette: any,
  contextPad: any,
  popupMenu: any,
  elementFactory: any,
  create: any,
  translate: (s: string) => string,
) {
  palette.registerProvider(500, {
    getPaletteEntries: () => (entries: Record<string, unknown>) => {
      for (const k of PALETTE_DROPPED) delete entries[k];
      const make = (type: string) => (event: unknown) => create.start(event, elementFactory.createShape({ type }));
      return {
        ...entries,
        'create.user-task': {
          group: 'activity',
          className: 'bpmn-icon-user-task',
          title: translate('Create user task'),
          action: { dragstart: make('bpmn:UserTask'), click: make('bpmn:UserTask') },
        },
        'create.service-task': {
          group: 'activity',
          className: 'bpmn-icon-service-task',
          title: translate('Create service task'),
          action: { dragstart: make('bpmn:ServiceTask'), click: make('bpmn:ServiceTask') },
        },
        'create.parallel-gateway': {
          group: 'gateway',
          className: 'bpmn-icon-gateway-parallel',
          title: translate('Create parallel gateway'),
          action: { dragstart: make('bpmn:ParallelGateway'), click: make('bpmn:ParallelGateway') },
        },
      };
    },
  });
  contextPad.registerProvider(500, {
    getContextPadEntries: () => (entries: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(entries).filter(([k]) => PAD_ALLOWED.test(k))),
  });
  popupMenu.registerProvider('bpmn-replace', 500, {
    getPopupMenuEntries: () => (entries: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(entries).filter(([k]) => REPLACE_ALLOWED.has(k))),
    // loops, multi-instance, compensation and ad-hoc markers are not run
    getPopupMenuHeaderEntries: () => () => ({}),
  });
}
Limits.$inject = ['palette', 'contextPad', 'popupMenu', 'elementFactory', 'create', 'translate'];

export const limitsModule = { __init__: ['dealflowLimits'], dealflowLimits: ['type', Limits] };
