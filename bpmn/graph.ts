/**
 * The compiled form of a regulation: a validated graph the interpreter workflow runs, stored with the published
 * version (JSON). Plain data, bundled into the workflow code.
 */

export type NodeKind =
  | 'start'
  | 'end'
  | 'terminateEnd'
  | 'errorEnd'
  | 'userTask'
  | 'serviceTask'
  | 'sendTask'
  | 'receiveTask'
  | 'exclusiveGateway'
  | 'parallelGateway'
  | 'subProcess'
  | 'callActivity'
  | 'timerCatch'
  | 'timerBoundary'
  | 'errorBoundary';

/** The service tasks the interpreter may run: an allow-list, not arbitrary code. */
export const SERVICE_TYPES = [
  'notify',
  'sendEmail',
  'createCalendarEvent',
  'setDealField',
  'requestDocument',
  'waitDealStage',
] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export interface Timer {
  /** ISO 8601 duration (PT2H, P1D) or date-time */
  duration?: string;
  date?: string;
}

export interface GraphNode {
  id: string;
  kind: NodeKind;
  name: string;
  /** the embedded sub-process this node is in, or null for the process itself */
  scope: string | null;
  incoming: string[];
  outgoing: string[];
  /** user tasks: who — a user id, `role:<role>`, `department:<id>`, or a FEEL expression (`=deal.ownerId`) */
  assignee?: string;
  candidateGroups?: string[];
  formKey?: string;
  /** ISO 8601 duration after the task is created */
  due?: string;
  serviceType?: ServiceType;
  /** call activities: the regulation key and 'latest' or a version number */
  calledElement?: string;
  calledVersion?: 'latest' | number;
  timer?: Timer;
  /** boundary events: the task they are attached to, and whether they interrupt it */
  attachedTo?: string;
  interrupting?: boolean;
  /** error ends and error boundaries: the error code (a boundary without one catches any) */
  errorCode?: string;
  /** exclusive gateways: the flow taken when no condition holds */
  defaultFlow?: string;
  /**
   * service, send and call activities: their parameters by name — a literal, or a FEEL expression over the instance's
   * variables when it starts with '=' (evaluated when the node runs)
   */
  params?: Record<string, string>;
  /** variables this node sets (form fields, service results), for the outputs check */
  produces?: string[];
}

export interface GraphFlow {
  id: string;
  source: string;
  target: string;
  /** a FEEL expression, checked at publish */
  condition: string | null;
}

export interface RegulationField {
  name: string;
  type: string;
  required: boolean;
  /** the deal field it is pre-filled from (inputs) or written back to (outputs) when the instance runs for a deal */
  dealField?: string;
}

export interface CompiledGraph {
  processId: string;
  name: string;
  nodes: Record<string, GraphNode>;
  flows: Record<string, GraphFlow>;
  /** the none start event of the process (key null) and of each embedded sub-process (key: its id) */
  starts: Record<string, string>;
  inputs: RegulationField[];
  outputs: RegulationField[];
}

/** Why a file cannot be published, naming the element (shown as a marker on the diagram). */
export interface CompileProblem {
  elementId: string | null;
  code: string;
  message: string;
}
