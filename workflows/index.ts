export { dealWorkflow } from './deal.ts';
