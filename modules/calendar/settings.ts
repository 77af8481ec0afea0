/**
 * The company's cadence for results, kept by an administrator: how often an unanswered result is asked again,
 * within which working hours and days (in which time zone), and after how many asks the lead is told. Event
 * workflows read it at each step, so a change applies from their next ask on.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { versionConflict } from '../shared/errors.ts';
import type { AskSettings } from './model.ts';

export interface CalendarSettings extends AskSettings {
  version: number;
}

export async function readCalendarSettings(em: EntityManager): Promise<CalendarSettings> {
  const [row] = await em.getConnection().execute<CalendarSettings[]>(
    `select ask_every_minutes as "askEveryMinutes", escalate_after_asks as "escalateAfterAsks",
            to_char(work_start, 'HH24:MI') as "workStart", to_char(work_end, 'HH24:MI') as "workEnd",
            work_days as "workDays", time_zone as "timeZone", version
       from calendar_settings`,
  );
  return row;
}

/** Saves the settings if still at `version` (409 VERSION_CONFLICT otherwise). */
export async function updateCalendarSettings(
  em: EntityManager,
  input: AskSettings & { version: number },
): Promise<CalendarSettings> {
  const rows = await em.getConnection().execute<{ version: number }[]>(
    `update calendar_settings set ask_every_minutes = ?, escalate_after_asks = ?, work_start = ?::time,
       work_end = ?::time, work_days = ?::integer[], time_zone = ?, version = version + 1
     where version = ? returning version`,
    [
      input.askEveryMinutes,
      input.escalateAfterAsks,
      input.workStart,
      input.workEnd,
      `{${[...new Set(input.workDays)].sort().join(',')}}`,
      input.timeZone,
      input.version,
    ],
  );
  if (!rows.length) throw versionConflict('The calendar settings', (await readCalendarSettings(em)).version);
  return readCalendarSettings(em);
}
