/**
 * The feed's rules, pure: who reads a post, which mentions a text holds, which timeline events become system posts.
 * The queries (queries.ts), the commands (commands.ts), the live relay (live.ts) and the projector decide with these.
 */

export const AUDIENCES = ['company', 'department', 'record'] as const;
export type Audience = (typeof AUDIENCES)[number];
/** what a post can be about: records whose visibility modules/access decides */
export const POST_RECORD_TYPES = ['deal', 'client', 'plan', 'event'] as const;
export type PostRecordType = (typeof POST_RECORD_TYPES)[number];

export const MAX_MENTIONS = 20;
export const MAX_BODY = 20_000;

/** Where a post goes, with what decides who reads it. */
export interface PostAudience {
  audience: Audience;
  departmentId: string | null;
  recordType: PostRecordType | null;
  recordId: string | null;
  /** the record's owner as it is now (a plan's manager); null when the record is gone */
  recordOwnerId: string | null;
}

/**
 * What a reader reads: an admin everything; otherwise the posts of the departments they belong to (theirs and those
 * above it) or lead (and those below), and posts about records they see (by ownership or share).
 */
export interface Reader {
  id: string;
  admin: boolean;
  departmentIds: readonly string[];
  /** whose records the reader sees by ownership */
  owners: 'all' | readonly string[];
  /** records shared with the reader, as `<type>:<id>` */
  shared: ReadonlySet<string>;
}

/** Whether the reader may read a post to this audience; a post about a record gone is read by no one but admins. */
export function canRead(reader: Reader, post: PostAudience): boolean {
  if (reader.admin) return true;
  if (post.audience === 'company') return true;
  if (post.audience === 'department')
    return post.departmentId !== null && reader.departmentIds.includes(post.departmentId);
  if (!post.recordOwnerId || !post.recordId || !post.recordType) return false;
  if (reader.owners === 'all' || reader.owners.includes(post.recordOwnerId)) return true;
  // a calendar event and a plan are seen by whoever sees their owner's records, as modules/access says
  return reader.shared.has(`${post.recordType}:${post.recordId}`);
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `@[Display name](user id)`: how the composer writes a mention (the name is shown, the id is who is told) */
const MENTION = new RegExp(`@\\[([^\\]\\n]{1,200})\\]\\((${UUID})\\)`, 'gi');

/** The users a text mentions, each once, in the order first mentioned (ids lower-cased). */
export function parseMentions(text: string): string[] {
  const out: string[] = [];
  // a mention inside code (inline or fenced) is text, not a mention
  const plain = text.replace(/```[\s\S]*?(```|$)/g, '').replace(/`[^`\n]*`/g, '');
  for (const m of plain.matchAll(MENTION)) {
    const id = m[2].toLowerCase();
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** A post's text with each mention written as its name (`@Name`), e.g. for a document made of the post. */
export const plainText = (text: string) => text.replace(MENTION, '@$1');

/** The mention token the composer inserts for a user (brackets in a name would end the token early: they are dropped). */
export const mentionToken = (user: { id: string; name: string }) =>
  `@[${user.name.replace(/[[\]\n]/g, '').slice(0, 200) || '?'}](${user.id})`;

/** The mentioned users a post or comment may not name, because they cannot read what it is about. */
export function mentionsRefused(
  mentioned: readonly string[],
  readers: ReadonlyMap<string, Reader>,
  post: PostAudience,
) {
  return mentioned.filter((id) => {
    const r = readers.get(id);
    return !r || !canRead(r, post);
  });
}

/** The kinds of system posts and what each tells. */
export const SYSTEM_KINDS = [
  'deal_won',
  'deal_lost',
  'stage_passed',
  'plan_finalised',
  'result_overdue',
  'task_overdue',
] as const;
export type SystemKind = (typeof SYSTEM_KINDS)[number];

/** A timeline event as the projector reads it, with the deal's target stage when it is a move. */
export interface TimelineFact {
  id: string;
  recordType: string;
  recordId: string;
  kind: string;
  data: Record<string, unknown>;
  toStage: { name: string; kind: string; gated: boolean } | null;
}

/**
 * The system post a timeline event makes, or null: a deal won or lost, a deal moved into a stage with requirements
 * (its gate passed), a plan finalised, a result of a call or meeting overdue, a regulation's task overdue on the deal
 * its run is for. Each links to its record.
 */
export function systemPostOf(
  e: TimelineFact,
): { kind: SystemKind; recordType: PostRecordType; data: Record<string, unknown> } | null {
  if (e.recordType === 'deal' && e.kind === 'stage_changed' && e.toStage) {
    const data = { stage: e.toStage.name };
    if (e.toStage.kind === 'won') return { kind: 'deal_won', recordType: 'deal', data };
    if (e.toStage.kind === 'lost') return { kind: 'deal_lost', recordType: 'deal', data };
    if (e.toStage.gated) return { kind: 'stage_passed', recordType: 'deal', data };
    return null;
  }
  if (e.recordType === 'plan' && e.kind === 'finalised')
    return { kind: 'plan_finalised', recordType: 'plan', data: {} };
  if (e.recordType === 'deal' && e.kind === 'regulation' && e.data.step === 'task_overdue') {
    // a regulation's task past its due time, on the deal the run is for: links to the instance and the task
    const { instanceId, taskId, name, nodeName, dueAt } = e.data;
    return {
      kind: 'task_overdue',
      recordType: 'deal',
      data: { instanceId, taskId, regulation: name, task: nodeName, dueAt },
    };
  }
  if (e.recordType === 'event' && e.kind === 'result_overdue') {
    const { occurrence, ownerId } = e.data;
    return { kind: 'result_overdue', recordType: 'event', data: { occurrence, ownerId } };
  }
  return null;
}
