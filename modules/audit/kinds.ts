/**
 * Every kind of entry the audit log holds, in the order the audit page's filter offers them. Pure: the server's
 * log and the web app's filter both import this file.
 */
export const AUDIT_KINDS = [
  'auth.login_succeeded',
  'auth.login_failed',
  'auth.password_changed',
  'auth.password_reset',
  'user.role_changed',
  'user.access_changed',
  'share.granted',
  'share.revoked',
  'export.downloaded',
  'record.deleted',
  'deal.attachment_removed',
  'import.uploaded',
  'import.started',
  'import.finished',
  'currency.changed',
  'plans.settings_changed',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];
