/** The company's plan settings: confirmation on or off, the deadlines, the time zone periods are bounded in. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, versionConflict } from '../shared/errors.ts';
import { isTimeZone } from './periods.ts';
import { loadPlanSettings, type PlanSettings } from './rows.ts';

export async function setPlanSettings(
  em: EntityManager,
  input: Omit<PlanSettings, 'version'> & { version: number },
): Promise<PlanSettings> {
  if (!isTimeZone(input.timeZone)) {
    throw new DomainError('VALIDATION_FAILED', 'Unknown time zone', {
      errors: [{ in: 'body', path: 'timeZone', message: 'Unknown time zone' }],
    });
  }
  return em.transactional(async (tem) => {
    const before = await loadPlanSettings(tem);
    const rows = await tem.getConnection().execute<{ version: number }[]>(
      `update plan_settings set confirmation = ?, submit_due_days = ?, review_due_days = ?, time_zone = ?,
         version = version + 1 where version = ? returning version`,
      [input.confirmation, input.submitDueDays, input.reviewDueDays, input.timeZone, input.version],
      'all',
      tem.getTransactionContext(),
    );
    if (!rows.length) throw versionConflict('The plan settings', before.version);
    return loadPlanSettings(tem);
  });
}
