/** The import workflow's public contract: its id and input. No runtime dependencies. */
export const importWorkflowId = (importId: string): string => `import-${importId}`;

export interface ImportWorkflowInput {
  importId: string;
}

/** Rows one activity imports before it reports back (each row is settled in Postgres as it goes). */
export const IMPORT_BATCH_ROWS = 25;
