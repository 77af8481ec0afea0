export { dealWorkflow } from './deal.ts';
export { fileSweepWorkflow } from './file-sweep.ts';
export { importWorkflow } from './import.ts';
export { eventWorkflow } from './event.ts';
export { planWorkflow } from './plan.ts';
