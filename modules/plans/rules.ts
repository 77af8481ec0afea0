/**
 * The rules of a revenue plan, pure: a line's values, and what each command may do in each state (the workflow's
 * validators run them) and the state it leads to. No I/O: bundled into the workflow code.
 */
import { PlanFailure } from './contract.ts';
import type { DecisionInput, LineWrite, PlanLineState, PlanState, Refusal } from './model.ts';
import {
  addDays,
  dateIn,
  dateInside,
  dateValue,
  planPeriodOf,
  zonedMidnight,
  type Period,
  type PlanPeriodKind,
} from './periods.ts';

export interface LineProblem {
  /** the line's index in what was sent */
  line: number;
  /** e.g. lines.2.amount */
  field: string;
  message: string;
}

const AMOUNT = /^\d{1,16}(?:\.\d{1,2})?$/;

/** What the company counts in: its currency and those with a rate. */
export interface Currencies {
  company: string | null;
  rated: readonly string[];
}

/** The problems of the lines of a plan for a period, each naming its line and field. */
export function lineProblems(
  lines: readonly { amount: string; currency: string; expectedOn: string; comment?: string }[],
  period: Period,
  currencies: Currencies,
): LineProblem[] {
  const out: LineProblem[] = [];
  lines.forEach((l, i) => {
    const at = (field: string, message: string) => out.push({ line: i, field: `lines.${i}.${field}`, message });
    if (!AMOUNT.test(l.amount)) at('amount', 'An amount is a number with at most two decimals');
    else if (!/[1-9]/.test(l.amount)) at('amount', 'An amount must be above zero');
    if (!currencies.company) at('currency', 'The company currency is not set');
    else if (l.currency !== currencies.company && !currencies.rated.includes(l.currency))
      at('currency', `Unknown currency ${l.currency}: it is not the company currency and has no rate`);
    if (dateValue(l.expectedOn) === null) at('expectedOn', 'Not a date (YYYY-MM-DD)');
    else if (!dateInside(l.expectedOn, period))
      at('expectedOn', `The expected date must lie inside the period ${period.key} (${period.start}…)`);
    if ((l.comment ?? '').length > 2000) at('comment', 'A comment is at most 2000 characters');
  });
  return out;
}

const refusal = (code: string, message: string, details?: Record<string, unknown>): Refusal => ({
  code,
  message,
  details,
});

/** How a save changes the lines the workflow holds: the ids kept and changed, added and removed. */
export interface LineDiff {
  changed: string[];
  added: string[];
  removed: string[];
}

export function lineDiff(state: PlanState, lineIds: readonly string[], changed: readonly string[]): LineDiff {
  const held = new Set(state.lines.map((l) => l.id));
  const sent = new Set(lineIds);
  return {
    changed: changed.filter((id) => held.has(id)),
    added: lineIds.filter((id) => !held.has(id)),
    removed: state.lines.filter((l) => !sent.has(l.id)).map((l) => l.id),
  };
}

/** A save: under review only doubtful lines may change or go; a final plan opens a new revision. */
export function saveRefusal(state: PlanState, diff: LineDiff): Refusal | null {
  if (state.status !== 'submitted') return null;
  const byId = new Map(state.lines.map((l) => [l.id, l]));
  const touched = [...diff.changed, ...diff.removed].filter((id) => byId.get(id)?.status !== 'doubtful');
  if (touched.length || diff.added.length) {
    return refusal(PlanFailure.underReview, 'Under review only doubtful lines may be changed or removed', {
      lines: [...touched, ...diff.added],
    });
  }
  return null;
}

/** The state after a save. */
export function applySave(state: PlanState, lines: readonly Pick<LineWrite, 'id'>[], diff: LineDiff): PlanState {
  const byId = new Map(state.lines.map((l) => [l.id, l]));
  const changed = new Set(diff.changed);
  if (!state.confirmation) {
    return {
      ...state,
      status: 'final',
      revision: state.status === 'final' ? state.revision + 1 : state.revision,
      lines: lines.map((l) => ({ id: l.id, status: 'approved', revised: false })),
    };
  }
  if (state.status === 'final') {
    return {
      ...state,
      status: 'draft',
      revision: state.revision + 1,
      lines: lines.map((l) => ({ id: l.id, status: 'open', revised: false })),
    };
  }
  if (state.status === 'draft') {
    return { ...state, lines: lines.map((l) => ({ id: l.id, status: 'open', revised: false })) };
  }
  return {
    ...state,
    lines: lines.map((l): PlanLineState => {
      const held = byId.get(l.id)!;
      return changed.has(l.id) ? { ...held, revised: true } : held;
    }),
  };
}

/** A submission: confirmation on; a draft with lines, or a plan under review with revised doubtful lines. */
export function submitRefusal(state: PlanState): Refusal | null {
  if (!state.confirmation)
    return refusal(PlanFailure.confirmationOff, 'Plans are not confirmed: a saved plan is final');
  if (state.status === 'final')
    return refusal(PlanFailure.locked, 'The plan is final; change it to open a new revision');
  if (!state.lines.length) return refusal(PlanFailure.notSubmittable, 'The plan has no lines');
  if (state.status === 'submitted' && !state.lines.some((l) => l.revised)) {
    return refusal(PlanFailure.notSubmittable, 'Submitted already: revise a doubtful line to submit again');
  }
  return null;
}

/** After a submission, revised doubtful lines wait for the lead again. */
export const applySubmit = (state: PlanState): PlanState => ({
  ...state,
  status: 'submitted',
  lines: state.lines.map((l) => (l.revised ? { id: l.id, status: 'open', revised: false } : l)),
});

/** Who reviews: the plan's lead or a lead above them. */
const reviewerRefusal = (state: PlanState, actorId: string | null): Refusal | null =>
  actorId && state.leadIds.includes(actorId) && actorId !== state.managerId
    ? null
    : refusal(PlanFailure.notReviewer, "Only the manager's lead, or a lead above them, reviews this plan");

const stateRefusal = (state: PlanState): Refusal | null => {
  if (state.status === 'final') return refusal(PlanFailure.locked, 'The plan is final');
  if (state.status === 'draft') return refusal(PlanFailure.notSubmitted, 'The plan has not been submitted');
  return null;
};

/** Decisions: by a reviewer, on a plan under review, on open lines of it, each once. */
export function decideRefusal(
  state: PlanState,
  actorId: string | null,
  decisions: readonly DecisionInput[],
): Refusal | null {
  const who = reviewerRefusal(state, actorId);
  if (who) return who;
  const when = stateRefusal(state);
  if (when) return when;
  const byId = new Map(state.lines.map((l) => [l.id, l]));
  const ids = decisions.map((d) => d.lineId);
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) return refusal(PlanFailure.lineNotFound, 'No such line in this plan', { lines: missing });
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  const closed = ids.filter((id) => byId.get(id)!.status !== 'open');
  if (closed.length || twice.length) {
    return refusal(PlanFailure.lineClosed, 'A line is decided once, while it is open', {
      lines: [...new Set([...closed, ...twice])],
    });
  }
  return null;
}

export function applyDecisions(state: PlanState, decisions: readonly DecisionInput[]): PlanState {
  const by = new Map(decisions.map((d) => [d.lineId, d.decision]));
  return {
    ...state,
    lines: state.lines.map((l) => {
      const d = by.get(l.id);
      return d ? { ...l, status: d, revised: false } : l;
    }),
  };
}

/** Finalising: by a reviewer, on a plan under review whose every line is decided. */
export function finaliseRefusal(state: PlanState, actorId: string | null): Refusal | null {
  const who = reviewerRefusal(state, actorId);
  if (who) return who;
  const when = stateRefusal(state);
  if (when) return when;
  const open = state.lines.filter((l) => l.status === 'open').map((l) => l.id);
  if (open.length)
    return refusal(PlanFailure.linesOpen, 'Every line must be approved or doubted first', { lines: open });
  return null;
}

export const applyFinalise = (state: PlanState): PlanState => ({ ...state, status: 'final' });

/** What reminder is due next for a state: the manager's to submit, the lead's to review; null when none ever is. */
export function nextReminder(state: PlanState): { kind: 'submit' | 'review'; at: number } | null {
  if (!state.confirmation) return null;
  if (state.status === 'draft' && state.submitReminded < state.revision)
    return { kind: 'submit', at: Date.parse(state.submitDueAt) };
  if (
    state.status === 'submitted' &&
    state.reviewReminded < state.revision &&
    state.lines.some((l) => l.status === 'open')
  )
    return { kind: 'review', at: Date.parse(state.reviewDueAt) };
  return null;
}

/** The state once a reminder was delivered. */
export const applyReminded = (state: PlanState, kind: 'submit' | 'review'): PlanState =>
  kind === 'submit' ? { ...state, submitReminded: state.revision } : { ...state, reviewReminded: state.revision };

/** What the submit deadline of plan periods needs: the settings that place it. */
export interface SubmitDeadline {
  submitDueDays: number;
  timeZone: string;
  remindPeriod: PlanPeriodKind;
}

/**
 * The periods whose submit deadline has passed at `now` and which have not ended (a manager with no plan for one of
 * them is reminded), and when the next deadline falls (epoch ms; null: none within a year and a day). A deadline
 * falling after its period ended is never due. Pure.
 */
export function submitDeadlines(now: number, s: SubmitDeadline): { due: Period[]; nextAt: number | null } {
  const due: Period[] = [];
  // a deadline on or after the longest period's end is never due
  if (s.submitDueDays >= { day: 1, week: 7, month: 31 }[s.remindPeriod]) return { due, nextAt: null };
  let p: Period = planPeriodOf(dateIn(now, s.timeZone), s.remindPeriod);
  for (let i = 0; i < 400; i++) {
    const at = zonedMidnight(addDays(p.start, s.submitDueDays), s.timeZone);
    const ends = zonedMidnight(p.end, s.timeZone);
    if (at < ends) {
      if (at > now) return { due, nextAt: at };
      due.push(p);
    }
    p = planPeriodOf(p.end, s.remindPeriod);
  }
  return { due, nextAt: null };
}
