import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';

const { extractDocumentText } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Extracts a new document version's text for search (`document-text-<versionId>`), retried until it is done. */
export async function documentTextWorkflow(input: { versionId: string }): Promise<string> {
  return extractDocumentText(input);
}
