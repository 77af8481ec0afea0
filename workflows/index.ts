export { dealWorkflow } from './deal.ts';
export { fileSweepWorkflow } from './file-sweep.ts';
export { importWorkflow } from './import.ts';
export { eventWorkflow } from './event.ts';
export { regulationWorkflow } from './regulation.ts';
export { planWorkflow } from './plan.ts';
export { documentTextWorkflow } from './document-text.ts';
