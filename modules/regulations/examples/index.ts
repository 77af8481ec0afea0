/**
 * The two example regulations installed on the first start (and on any start that finds them missing: a regulation
 * a process owner already published under the same key is left alone), published like any other file, with their
 * task forms embedded: "Sales → Production: feasibility and cost estimate" and "Sales → Legal: contract approval".
 * Their user tasks name their departments by name (Production, Legal, Sales).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { publishRegulation } from '../versions.ts';

export const EXAMPLE_FILES = ['feasibility.bpmn', 'contract-approval.bpmn'];
export const EXAMPLE_KEYS = ['feasibility', 'contract_approval'];

/** Publishes each example whose key has no version yet; returns the keys it published. */
export async function installExampleRegulations(em: EntityManager, actorId: string): Promise<string[]> {
  const installed: string[] = [];
  for (const [i, file] of EXAMPLE_FILES.entries()) {
    const [row] = await em
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from regulations where key = ?`, [EXAMPLE_KEYS[i]]);
    if (row.n > 0) continue;
    await publishRegulation(em, actorId, fs.readFileSync(path.join(import.meta.dirname, file), 'utf8'));
    installed.push(EXAMPLE_KEYS[i]);
  }
  return installed;
}
