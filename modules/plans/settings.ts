/**
 * The company's plan settings: confirmation on or off, the deadlines, the time zone periods are bounded in, the period
 * a manager with no plan is reminded for. A change is audited (`plans.settings_changed`, before and after) in its
 * transaction.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/index.ts';
import { DomainError, versionConflict } from '../shared/errors.ts';
import { isTimeZone } from './periods.ts';
import { loadPlanSettings, type PlanSettings } from './rows.ts';

export interface SettingsActor {
  id: string;
  email?: string | null;
  ip?: string | null;
}

export async function setPlanSettings(
  em: EntityManager,
  input: Omit<PlanSettings, 'version' | 'remindPeriod' | 'companyTotalsRoles'> & {
    remindPeriod?: PlanSettings['remindPeriod'];
    companyTotalsRoles?: PlanSettings['companyTotalsRoles'];
    version: number;
  },
  actor: SettingsActor,
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
         remind_period = ?, company_totals_roles = ?::text[], version = version + 1 where version = ? returning version`,
      [
        input.confirmation,
        input.submitDueDays,
        input.reviewDueDays,
        input.timeZone,
        input.remindPeriod ?? before.remindPeriod,
        `{${[...new Set(input.companyTotalsRoles ?? before.companyTotalsRoles)].sort().join(',')}}`,
        input.version,
      ],
      'all',
      tem.getTransactionContext(),
    );
    if (!rows.length) throw versionConflict('The plan settings', before.version);
    const after = await loadPlanSettings(tem);
    const { version: _b, ...was } = before;
    const { version: _a, ...now } = after;
    await recordAudit(tem, {
      kind: 'plans.settings_changed',
      actorId: actor.id,
      actorEmail: actor.email ?? null,
      ip: actor.ip ?? null,
      subjectType: 'plan_settings',
      subjectId: null,
      details: {
        before: was,
        after: now,
        changed: (Object.keys(now) as (keyof typeof now)[]).filter(
          (k) => JSON.stringify(now[k]) !== JSON.stringify(was[k]),
        ),
      },
    });
    return after;
  });
}
