/**
 * The app's building blocks on Mantine (one design system): buttons, dialogs, notifications, alerts; avatars; plus
 * the translation of problem details into messages in the user's language.
 */
import { Alert, Button as MantineButton, Loader } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  Suspense,
  createContext,
  lazy,
  useCallback,
  useContext,
  type ButtonHTMLAttributes,
  type ReactNode,
} from 'react';
import { ApiError } from './api.js';
import { useI18n, type MessageKey, type T } from './i18n/index.js';

/* ---------- icons (inline, 20×20 stroke) ---------- */
const PATHS: Record<string, string> = {
  board: 'M3 4h4v12H3zM8.5 4h4v8h-4zM14 4h3v10h-3z',
  users:
    'M7 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-5 8c0-2.8 2.2-5 5-5s5 2.2 5 5M13 3.5a3 3 0 0 1 0 5.5M15 12c1.8.6 3 2.5 3 5',
  building: 'M4 17V3h8v14M12 8h4v9M7 6h2M7 9h2M7 12h2M2 17h16',
  flow: 'M3 5h5v3H3zM12 12h5v3h-5zM8 6.5h3a1 1 0 0 1 1 1V12',
  logout: 'M8 4H4v12h4M12 6l4 4-4 4M16 10H8',
  plus: 'M10 4v12M4 10h12',
  x: 'M5 5l10 10M15 5L5 15',
  check: 'M4 10.5l4 4 8-9',
  search: 'M9 15a6 6 0 1 0 0-12 6 6 0 0 0 0 12zm4.5-1.5L17 17',
  menu: 'M3 5h14M3 10h14M3 15h14',
  more: 'M5 10h.01M10 10h.01M15 10h.01',
  file: 'M5 2h7l4 4v12H5zM12 2v4h4',
  download: 'M10 3v10M6 9l4 4 4-4M4 17h12',
  trash: 'M4 6h12M8 6V4h4v2M6 6l1 11h6l1-11',
  archive: 'M3 4h14v4H3zM4 8v9h12V8M8 11h4',
  lock: 'M5 9h10v8H5zM7 9V6a3 3 0 0 1 6 0v3',
  arrowRight: 'M4 10h12M11 5l5 5-5 5',
  chevronDown: 'M5 8l5 5 5-5',
  chevronUp: 'M5 12l5-5 5 5',
  chevronLeft: 'M12 5l-5 5 5 5',
  chevronRight: 'M8 5l5 5-5 5',
  upload: 'M10 14V4M6 8l4-4 4 4M4 17h12',
  alert: 'M10 3l8 14H2zM10 8v4M10 14.5v.01',
  clock: 'M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM10 6v4l3 2',
  globe: 'M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM2 10h16M10 2c2.5 2.5 2.5 13.5 0 16M10 2c-2.5 2.5-2.5 13.5 0 16',
  grip: 'M7 5h.01M13 5h.01M7 10h.01M13 10h.01M7 15h.01M13 15h.01',
  edit: 'M4 16l1-4 8-8 3 3-8 8zM12 5l3 3',
  key: 'M12 8a4 4 0 1 1-1.2-2.8M7 12l-4 4 2 2M5 14l2 2',
  trophy: 'M6 3h8v5a4 4 0 0 1-8 0zM6 5H3c0 3 1.5 4 3 4M14 5h3c0 3-1.5 4-3 4M10 12v3M7 17h6',
  ban: 'M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM4.5 4.5l11 11',
  calendar: 'M3 5h14v12H3zM3 8.5h14M7 3v4M13 3v4',
  chat: 'M3 4h14v9H9l-4 3.5V13H3zM6.5 7.5h7M6.5 10h4.5',
};

export function Icon({ name, size = 18, className }: { name: keyof typeof PATHS; size?: number; className?: string }) {
  return (
    <svg
      className={`icon ${className ?? ''}`}
      width={size}
      height={size}
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      strokeWidth={name === 'more' || name === 'grip' ? 3 : 1.7}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}

/* ---------- buttons ---------- */
type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';
const MANTINE_VARIANT: Record<Variant, { variant: string; color?: string }> = {
  primary: { variant: 'filled' },
  secondary: { variant: 'default' },
  ghost: { variant: 'subtle' },
  danger: { variant: 'filled', color: 'red' },
};
export function Button({
  variant = 'secondary',
  icon,
  busy,
  children,
  className,
  size,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; icon?: string; busy?: boolean; size?: 'sm' }) {
  const v = MANTINE_VARIANT[variant];
  const { color: _c, ...props } = rest;
  return (
    <MantineButton
      type={type}
      variant={v.variant}
      color={v.color}
      size={size === 'sm' ? 'xs' : 'sm'}
      loading={busy}
      fullWidth={className?.includes('btn-block')}
      className={className}
      aria-busy={busy || undefined}
      leftSection={icon ? <Icon name={icon} size={16} /> : undefined}
      {...props}
    >
      {children}
    </MantineButton>
  );
}

export const Spinner = ({ large }: { large?: boolean }) => <Loader size={large ? 'md' : 'xs'} aria-hidden="true" />;

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="loading" role="status">
      <Spinner large />
      <span>{t('app.loading')}</span>
    </div>
  );
}

/* ---------- errors ---------- */
/** Names in the user's language for what a problem body refers to by key or id; the server's names are the fallback. */
export interface ErrorLabels {
  field: (key: string, fallback?: string) => string;
  kind: (id: string, fallback?: string) => string;
  stage: (id: string) => string | null;
}
const ErrorLabelsContext = createContext<ErrorLabels | null>(null);
/** Provided inside the logged-in app (where the reference data is), so error messages can name fields and stages. */
export const ErrorLabelsProvider = ErrorLabelsContext.Provider;

interface MissingBody {
  fields?: { key?: string; label?: string }[];
  documentKinds?: { id?: string; name?: string }[];
}

/** "Amount, Commercial proposal": what an unmet stage gate lists, in the user's language where the app knows the name. */
function missingList(missing: unknown, labels?: ErrorLabels | null): string {
  const m = (missing && typeof missing === 'object' ? missing : {}) as MissingBody;
  const fields = (Array.isArray(m.fields) ? m.fields : []).map((f) => {
    const fallback = f.label || f.key || '?';
    return labels && f.key ? labels.field(f.key, fallback) : fallback;
  });
  const kinds = (Array.isArray(m.documentKinds) ? m.documentKinds : []).map((k) => {
    const fallback = k.name || '?';
    return labels && k.id ? labels.kind(k.id, fallback) || fallback : fallback;
  });
  return [...fields, ...kinds].join(', ');
}

/** Codes answered with a fixed message; the ones not listed here say what the server's detail says. */
const PROBLEM_MESSAGES: Partial<Record<string, MessageKey>> = {
  VERSION_CONFLICT: 'problem.VERSION_CONFLICT',
  TASK_FORM_INVALID: 'problem.TASK_FORM_INVALID',
  TASK_CLAIMED: 'problem.TASK_CLAIMED',
  TASK_NOT_OPEN: 'problem.TASK_NOT_OPEN',
  REGULATION_INVALID: 'problem.REGULATION_INVALID',
  REGULATION_INPUT_MISSING: 'problem.REGULATION_INPUT_MISSING',
  DEAL_BUSY: 'problem.DEAL_BUSY',
  DEAL_ARCHIVED: 'problem.DEAL_ARCHIVED',
  DEAL_NOT_ARCHIVED: 'problem.VERSION_CONFLICT',
  DEAL_STATE_STALE: 'problem.VERSION_CONFLICT',
  STAGE_REQUIREMENTS_CHANGED: 'problem.STAGE_REQUIREMENTS_CHANGED',
  LOST_REASON_REQUIRED: 'problem.LOST_REASON_REQUIRED',
  SERVICE_UNAVAILABLE: 'problem.SERVICE_UNAVAILABLE',
  OUTCOME_UNKNOWN: 'problem.OUTCOME_UNKNOWN',
  INVALID_DATA: 'problem.INVALID_DATA',
  TOO_MANY_ATTACHMENTS: 'problem.TOO_MANY_ATTACHMENTS',
  FILE_TOO_LARGE: 'problem.FILE_TOO_LARGE',
  IMPORT_UNSUPPORTED_FILE: 'problem.IMPORT_UNSUPPORTED_FILE',
  IMPORT_FILE_UNREADABLE: 'problem.IMPORT_FILE_UNREADABLE',
  IMPORT_FILE_EMPTY: 'problem.IMPORT_FILE_EMPTY',
  IMPORT_TOO_MANY_ROWS: 'problem.IMPORT_TOO_MANY_ROWS',
  IMPORT_TOO_MANY_COLUMNS: 'problem.IMPORT_TOO_MANY_COLUMNS',
  IMPORT_MAPPING_INVALID: 'problem.IMPORT_MAPPING_INVALID',
  IMPORT_NOT_MAPPED: 'problem.IMPORT_NOT_MAPPED',
  IMPORT_ALREADY_STARTED: 'problem.IMPORT_ALREADY_STARTED',
  BODY_TOO_LARGE: 'problem.FILE_TOO_LARGE',
  TOO_MANY_ATTEMPTS: 'problem.TOO_MANY_ATTEMPTS',
  INVALID_CREDENTIALS: 'problem.INVALID_CREDENTIALS',
  CSRF_TOKEN_INVALID: 'problem.CSRF_TOKEN_INVALID',
  NOT_FOUND: 'problem.NOT_FOUND',
  DEAL_NOT_FOUND: 'problem.NOT_FOUND',
  ATTACHMENT_NOT_FOUND: 'problem.NOT_FOUND',
  CODE_TAKEN: 'problem.CODE_TAKEN',
  FIELD_KEY_TAKEN: 'problem.FIELD_KEY_TAKEN',
  EMAIL_TAKEN: 'problem.EMAIL_TAKEN',
  SAVED_FILTER_NAME_TAKEN: 'problem.SAVED_FILTER_NAME_TAKEN',
  SAVED_FILTER_NO_GROUP: 'problem.SAVED_FILTER_NO_GROUP',
  OUTCOME_LABEL_TAKEN: 'problem.OUTCOME_LABEL_TAKEN',
  INVALID_CURRENCY_RATES: 'problem.INVALID_CURRENCY_RATES',
  FORBIDDEN: 'problem.FORBIDDEN',
  INTERNAL: 'problem.INTERNAL',
  EVENT_NOT_FOUND: 'problem.NOT_FOUND',
  MENTION_NOT_ALLOWED: 'problem.MENTION_NOT_ALLOWED',
  TOO_MANY_MENTIONS: 'problem.TOO_MANY_MENTIONS',
  EVENT_OCCURRENCE_NOT_FOUND: 'problem.EVENT_OCCURRENCE_NOT_FOUND',
  EVENT_BUSY: 'problem.DEAL_BUSY',
  EVENT_STATE_STALE: 'problem.VERSION_CONFLICT',
  EVENT_CANCELLED: 'problem.EVENT_CANCELLED',
  EVENT_INVALID: 'problem.EVENT_INVALID',
  RESULT_NOT_DUE: 'problem.RESULT_NOT_DUE',
  RESULT_INVALID: 'problem.RESULT_INVALID',
  REPORT_INVALID: 'problem.RESULT_INVALID',
  DOCUMENT_TYPE_MISMATCH: 'problem.DOCUMENT_TYPE_MISMATCH',
  DOCUMENT_TYPE_NOT_ALLOWED: 'problem.DOCUMENT_TYPE_NOT_ALLOWED',
  FOLDER_NOT_EMPTY: 'problem.FOLDER_NOT_EMPTY',
  FOLDER_NAME_TAKEN: 'problem.FOLDER_NAME_TAKEN',
  FOLDER_CYCLE: 'problem.FOLDER_CYCLE',
  OP_ID_REUSED: 'problem.OP_ID_REUSED',
  INVALID_NAME: 'problem.INVALID_NAME',
  PLAN_LINE_INVALID: 'problem.PLAN_LINE_INVALID',
  PLAN_UNDER_REVIEW: 'problem.PLAN_UNDER_REVIEW',
  PLAN_LOCKED: 'problem.PLAN_LOCKED',
  PLAN_NOT_SUBMITTABLE: 'problem.PLAN_NOT_SUBMITTABLE',
  PLAN_NOT_SUBMITTED: 'problem.PLAN_NOT_SUBMITTED',
  PLAN_CONFIRMATION_OFF: 'problem.PLAN_CONFIRMATION_OFF',
  PLAN_NOT_REVIEWER: 'problem.PLAN_NOT_REVIEWER',
  PLAN_LINE_CLOSED: 'problem.PLAN_LINE_CLOSED',
  PLAN_LINES_OPEN: 'problem.PLAN_LINES_OPEN',
  PLAN_PERIOD_INVALID: 'problem.PLAN_PERIOD_INVALID',
  PAYMENT_INVALID: 'problem.PAYMENT_INVALID',
  PAYMENT_IMPORT_COLUMNS: 'problem.PAYMENT_IMPORT_COLUMNS',
  PLAN_NOT_FOUND: 'problem.NOT_FOUND',
  PLAN_BUSY: 'problem.DEAL_BUSY',
  PLAN_STATE_STALE: 'problem.VERSION_CONFLICT',
};

/** zod's issue codes, as the API reports them in a 400's `errors[].code` */
const VALIDATION_REASONS: Record<string, MessageKey> = {
  too_small: 'validation.too_small',
  too_big: 'validation.too_big',
  invalid_format: 'validation.invalid_format',
  invalid_type: 'validation.invalid_type',
  invalid_value: 'validation.invalid_value',
};

/** The message for an error in the user's language: known problem codes have their own, others the server's detail. */
export function errorText(e: unknown, t: T, labels?: ErrorLabels | null): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('error.network');
    const body = e.body ?? ({} as ApiError['body']);
    switch (e.code) {
      case 'STAGE_REQUIREMENTS_UNMET': {
        const list = missingList(body.missing, labels);
        const stage = typeof body.stageId === 'string' ? (labels?.stage(body.stageId) ?? null) : null;
        // an edit or a removal may not take away what the deal's current stage requires; a move lacks it
        const keeps = e.method === 'PATCH' || e.method === 'DELETE';
        if (!list)
          return stage ? t('problem.requirementsUnmetPlain', { stage }) : t('problem.requirementsUnmetPlainNoStage');
        if (keeps)
          return stage
            ? t('problem.requirementsKept', { stage, list })
            : t('problem.requirementsKeptNoStage', { list });
        return stage
          ? t('problem.requirementsUnmet', { stage, list })
          : t('problem.requirementsUnmetNoStage', { list });
      }
      case 'INVALID_FIELD_VALUE': {
        const raw = typeof body.field === 'string' ? body.field : '';
        const key = raw.startsWith('custom.') ? raw.slice('custom.'.length) : raw;
        if (key === 'contactId') return t('problem.INVALID_CONTACT');
        if (!key) return t('problem.INVALID_FIELD_VALUE_PLAIN');
        return t('problem.INVALID_FIELD_VALUE', { field: labels ? labels.field(key, key) : key });
      }
      case 'VALIDATION_FAILED': {
        // structured details: which value (its path) and what is wrong with it (zod's issue code)
        const first = (Array.isArray(body.errors) ? body.errors : [])[0] as
          { path?: string | null; code?: string } | undefined;
        const key =
          first?.path
            ?.split('.')
            .filter((x) => !/^\d+$/.test(x))
            .pop() ?? '';
        const reason = t(VALIDATION_REASONS[first?.code ?? ''] ?? 'validation.other');
        if (!key) return t('problem.VALIDATION_FAILED_PLAIN', { reason });
        return t('problem.VALIDATION_FAILED', { field: labels ? labels.field(key, key) : key, reason });
      }
      case 'STAGE_IN_USE': {
        // the server names the stages in quotes: "Lead" (3 deals), "Won"
        const names = Array.isArray(body.stages)
          ? (body.stages as { name?: string }[]).map((x) => x.name ?? '').filter(Boolean)
          : [...new Set([...e.detail.matchAll(/"([^"]+)"/g)].map((m) => m[1]))];
        return names.length
          ? t('problem.STAGE_IN_USE', { stages: names.map((n) => t('common.quoted', { text: n })).join(', ') })
          : t('problem.STAGE_IN_USE_PLAIN');
      }
    }
    const key = PROBLEM_MESSAGES[e.code];
    if (key) return t(key);
    // a code this version of the app does not know: a message by status, never the server's English sentence
    if (e.status === 503) return t('problem.SERVICE_UNAVAILABLE');
    if (e.status === 404) return t('problem.NOT_FOUND');
    if (e.status === 403) return t('problem.FORBIDDEN');
    if (e.status === 409) return t('problem.conflict');
    return t('problem.unknown', { status: e.status });
  }
  return t('problem.INTERNAL');
}

/** errorText with the names of fields, document kinds and stages known to the app. */
export function useErrorText(): (e: unknown) => string {
  const { t } = useI18n();
  const labels = useContext(ErrorLabelsContext);
  return useCallback((e: unknown) => errorText(e, t, labels), [t, labels]);
}

export function ErrorBox({
  error,
  onRetry,
  title,
  testId,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const text = useErrorText();
  if (!error) return null;
  return (
    <Alert
      color="red"
      variant="light"
      role="alert"
      data-testid={testId ?? 'error'}
      title={title}
      icon={<Icon name="alert" />}
      className="alert-error"
    >
      <div className="alert-row">
        <div className="alert-detail" data-testid="error-text">
          {text(error)}
        </div>
        {onRetry ? (
          <Button size="sm" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : null}
      </div>
    </Alert>
  );
}

/* ---------- notifications ---------- */
interface ToastOptions {
  action?: { label: string; onClick: () => void; testId?: string };
}
type ToastFn = (kind: 'ok' | 'error', text: string, opts?: ToastOptions) => void;

/** A notification (Mantine): 'ok' ones go after 5 s, errors after 10 s; an action (e.g. Undo) closes it. */
export const toast: ToastFn = (kind, text, opts) => {
  const id = `toast-${Math.random().toString(36).slice(2)}`;
  notifications.show({
    id,
    color: kind === 'ok' ? 'teal' : 'red',
    autoClose: opts?.action ? 8_000 : kind === 'error' ? 10_000 : 5_000,
    withBorder: true,
    role: kind === 'error' ? 'alert' : 'status',
    'data-testid': `toast-${kind}`,
    message: (
      <span className="toast-body">
        <span>{text}</span>
        {opts?.action ? (
          <MantineButton
            size="compact-sm"
            variant="light"
            data-testid={opts.action.testId ?? 'toast-action'}
            onClick={() => {
              notifications.hide(id);
              opts.action!.onClick();
            }}
          >
            {opts.action.label}
          </MantineButton>
        ) : null}
      </span>
    ),
  });
};
export const useToast = (): ToastFn => toast;

/* ---------- dialog ---------- */
export interface DialogProps {
  title: ReactNode;
  subtitle?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  testId?: string;
  busy?: boolean;
}
/** A modal dialog (Mantine's Modal, in its own chunk: loaded when a dialog first opens). */
const ModalDialog = lazy(() => import('./dialog.js').then((m) => ({ default: m.ModalDialog })));
export function Dialog(props: DialogProps) {
  return (
    <Suspense fallback={null}>
      <ModalDialog {...props} />
    </Suspense>
  );
}

/* ---------- form field ---------- */
export function Field({
  label,
  children,
  error,
  hint,
  htmlFor,
  required,
  className,
}: {
  label: ReactNode;
  children: ReactNode;
  error?: string | null;
  hint?: ReactNode;
  htmlFor?: string;
  required?: boolean;
  className?: string;
}) {
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label className="field-label" htmlFor={htmlFor}>
        {label}
        {required ? (
          <span className="req" aria-hidden="true">
            *
          </span>
        ) : null}
      </label>
      {children}
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : hint ? (
        <div className="field-hint">{hint}</div>
      ) : null}
    </div>
  );
}

/* ---------- small bits ---------- */
/** The browser tab's title: the page's, then the app's name. */
export function usePageTitle(title: string) {
  useDocumentTitle(title ? `${title} · Dealflow` : 'Dealflow');
}

/** Initials on a colour of the name's own: managers tell each other apart on the board at a glance. */
function initials(name: string | null | undefined): string {
  const n = (name ?? '?').trim() || '?';
  return n
    .split(/\s+/)
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase() ?? '')
    .join('');
}
/** A plain element, not Mantine's Avatar: a board draws one on each of its hundreds of cards. */
export function Avatar({ name, size = 24 }: { name: string | null | undefined; size?: number }) {
  const n = (name ?? '?').trim() || '?';
  let h = 0;
  for (const c of n) h = (h * 31 + c.charCodeAt(0)) % 360;
  return (
    <span
      className="avatar"
      role="img"
      title={n}
      aria-label={n}
      data-testid="avatar"
      style={{
        width: size,
        height: size,
        fontSize: size * 0.42,
        background: `hsl(${h} 55% 90%)`,
        color: `hsl(${h} 50% 24%)`,
      }}
    >
      {initials(n)}
    </span>
  );
}

export function Empty({ icon = 'file', children }: { icon?: string; children: ReactNode }) {
  return (
    <div className="empty">
      <Icon name={icon} size={22} />
      <div>{children}</div>
    </div>
  );
}

export function Card({
  title,
  actions,
  children,
  className,
  testId,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`} data-testid={testId}>
      {title || actions ? (
        <header className="card-header">
          <h3>{title}</h3>
          <div className="card-actions">{actions}</div>
        </header>
      ) : null}
      <div className="card-body">{children}</div>
    </section>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
