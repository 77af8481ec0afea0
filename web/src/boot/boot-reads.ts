/**
 * The reads the app starts with, as paths under /api/v1: the session, the reference data and — on the board, when the
 * pipeline is known from the address or the last visit — the board. The early boot script (early.ts) asks for them
 * before the app's code has loaded; the app's queries (session.tsx) read these very paths and take its answers.
 */
import { boardPath, bootBoardTarget } from '../features/board/board-target.js';

export const ME_PATH = '/auth/me';
export const PIPELINES_PATH = '/pipelines';
export const DOCUMENT_KINDS_PATH = '/document-kinds';
export const DEAL_FIELDS_PATH = '/deal-fields';

export function bootReads(): string[] {
  if (location.pathname === '/login') return [ME_PATH];
  const board = bootBoardTarget();
  return [
    ME_PATH,
    PIPELINES_PATH,
    DOCUMENT_KINDS_PATH,
    DEAL_FIELDS_PATH,
    ...(board ? [boardPath(board.pipelineId, board.filter)] : []),
  ];
}
