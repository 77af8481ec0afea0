/**
 * Internet calendar feeds: the user's read-only links that Google Calendar, Outlook or Apple Calendar subscribe to
 * (GET/POST/DELETE /calendar/feeds). A new link — its URL, webcal link and QR code — is shown once, right after it is
 * created; afterwards only its name is listed. A lead may publish their group's events; revoking asks first and
 * stops the link at once.
 */
import { Group, Radio, Stack } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api } from '../../api.js';
import type { components } from '../../api/schema.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { Button, Card, Dialog, Empty, ErrorBox, Field, Loading, toast, useErrorText, usePageTitle } from '../../ui.js';

type CalendarFeed = components['schemas']['CalendarFeed'];
type CreatedFeed = components['schemas']['CalendarFeedCreated'];
type Scope = CalendarFeed['scope'];

const feedsKey = ['calendar-feeds'] as const;
/** roles that may publish their group's events (the server decides; this only offers the choice) */
const GROUP_ROLES = ['lead', 'admin'];
/** the refusals of this panel's own codes, in the user's language */
const FEED_PROBLEMS: Partial<Record<string, MessageKey>> = {
  CALENDAR_FEED_SCOPE_FORBIDDEN: 'problem.CALENDAR_FEED_SCOPE_FORBIDDEN',
  CALENDAR_FEED_LIMIT: 'problem.CALENDAR_FEED_LIMIT',
};

/** The page at /calendar/feeds: the panel under a title. */
export function CalendarFeedsPage() {
  const { t } = useI18n();
  usePageTitle(t('calendarFeeds.title'));
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('calendarFeeds.title')}</h1>
        </div>
      </header>
      <CalendarFeedsPanel />
    </div>
  );
}

export function CalendarFeedsPanel() {
  const { t, date } = useI18n();
  const q = useQuery({ queryKey: feedsKey, queryFn: () => api.get<{ items: CalendarFeed[] }>('/calendar/feeds') });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedFeed | null>(null);
  const [revoking, setRevoking] = useState<CalendarFeed | null>(null);
  return (
    <Card
      title={t('calendarFeeds.title')}
      testId="calendar-feeds"
      actions={
        <Button variant="primary" icon="plus" size="sm" onClick={() => setCreating(true)} data-testid="feed-new">
          {t('calendarFeeds.new')}
        </Button>
      }
    >
      <p className="muted small">{t('calendarFeeds.intro')}</p>
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? (
        <Loading />
      ) : q.data && q.data.items.length === 0 ? (
        <Empty icon="globe">{t('calendarFeeds.empty')}</Empty>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} data-testid="feed-list">
          {q.data?.items.map((f) => (
            <Group component="li" key={f.id} justify="space-between" wrap="nowrap" data-testid="feed-row">
              <div>
                <strong>{f.name}</strong>
                <div className="muted small">
                  {f.scope === 'group' ? t('calendarFeeds.scopeGroup') : t('calendarFeeds.scopeMine')}
                  {' · '}
                  {t('calendarFeeds.createdAt', { date: date(f.createdAt) })}
                </div>
              </div>
              <Button variant="ghost" size="sm" icon="ban" onClick={() => setRevoking(f)} data-testid="feed-revoke">
                {t('calendarFeeds.revoke')}
              </Button>
            </Group>
          ))}
        </Stack>
      )}
      {creating ? (
        <CreateFeedDialog
          onClose={() => setCreating(false)}
          onCreated={(f) => {
            setCreating(false);
            setCreated(f);
          }}
        />
      ) : null}
      {created ? <CreatedFeedDialog feed={created} onClose={() => setCreated(null)} /> : null}
      {revoking ? <RevokeFeedDialog feed={revoking} onClose={() => setRevoking(null)} /> : null}
    </Card>
  );
}

function CreateFeedDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (f: CreatedFeed) => void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('mine');
  const [checked, setChecked] = useState(false);
  const mayGroup = GROUP_ROLES.includes(user?.role ?? '');
  const create = useMutation({
    mutationFn: () => api.post<CreatedFeed>('/calendar/feeds', { name: name.trim(), scope }),
    onSuccess: (f) => {
      void qc.invalidateQueries({ queryKey: feedsKey });
      onCreated(f);
    },
  });
  const known = create.error instanceof ApiError ? FEED_PROBLEMS[create.error.code] : undefined;
  const submit = () => {
    setChecked(true);
    if (name.trim()) create.mutate();
  };
  return (
    <Dialog
      title={t('calendarFeeds.new')}
      onClose={onClose}
      busy={create.isPending}
      testId="feed-create-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={create.isPending}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" busy={create.isPending} onClick={submit} data-testid="feed-create">
            {t('common.create')}
          </Button>
        </>
      }
    >
      <form
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field
          label={t('calendarFeeds.name')}
          htmlFor="feed-name"
          hint={t('calendarFeeds.nameHint')}
          error={checked && !name.trim() ? t('calendarFeeds.nameRequired') : null}
          required
        >
          <input
            id="feed-name"
            className="input"
            value={name}
            maxLength={100}
            data-testid="feed-name"
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        {mayGroup ? (
          <Radio.Group label={t('calendarFeeds.scope')} value={scope} onChange={(v) => setScope(v)}>
            <Stack gap="xs" mt="xs">
              <Radio value="mine" label={t('calendarFeeds.scopeMine')} data-testid="feed-scope-mine" />
              <Radio value="group" label={t('calendarFeeds.scopeGroup')} data-testid="feed-scope-group" />
            </Stack>
          </Radio.Group>
        ) : null}
      </form>
      {known ? (
        <p className="field-error" role="alert" data-testid="error">
          {t(known)}
        </p>
      ) : (
        <ErrorBox error={create.error} />
      )}
    </Dialog>
  );
}

/** The new link, shown this once: the URL with a copy button, the webcal link and the QR code. */
function CreatedFeedDialog({ feed, onClose }: { feed: CreatedFeed; onClose: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <Dialog
      title={t('calendarFeeds.createdTitle', { name: feed.name })}
      onClose={onClose}
      testId="feed-created-dialog"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="feed-done">
          {t('calendarFeeds.done')}
        </Button>
      }
    >
      <p className="muted small">{t('calendarFeeds.shownOnce')}</p>
      <Field label={t('calendarFeeds.url')} htmlFor="feed-url" hint={t('calendarFeeds.urlHint')}>
        <Group gap="xs" wrap="nowrap">
          <input
            id="feed-url"
            className="input"
            readOnly
            value={feed.url}
            data-testid="feed-url"
            onFocus={(e) => e.currentTarget.select()}
          />
          <Button
            size="sm"
            icon={copied ? 'check' : 'file'}
            data-testid="feed-copy"
            onClick={() => {
              void navigator.clipboard
                ?.writeText(feed.url)
                .then(() => setCopied(true))
                .catch(() => toast('error', t('calendarFeeds.copyFailed')));
            }}
          >
            {copied ? t('calendarFeeds.copied') : t('calendarFeeds.copy')}
          </Button>
        </Group>
      </Field>
      <p>
        <a className="link" href={feed.webcalUrl} data-testid="feed-webcal">
          {t('calendarFeeds.subscribe')}
        </a>
      </p>
      <figure style={{ margin: 0, textAlign: 'center' }}>
        <img
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(feed.qrSvg)}`}
          width={200}
          height={200}
          alt={t('calendarFeeds.qrAlt')}
          data-testid="feed-qr"
        />
        <figcaption className="muted small">{t('calendarFeeds.qrHint')}</figcaption>
      </figure>
    </Dialog>
  );
}

function RevokeFeedDialog({ feed, onClose }: { feed: CalendarFeed; onClose: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const revoke = useMutation({
    mutationFn: () => api.del<void>(`/calendar/feeds/${feed.id}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: feedsKey });
      toast('ok', t('calendarFeeds.revoked', { name: feed.name }));
      onClose();
    },
    onError: (e) => {
      // revoked meanwhile (another tab): it is gone either way
      if (e instanceof ApiError && e.status === 404) {
        void qc.invalidateQueries({ queryKey: feedsKey });
        onClose();
      } else toast('error', errorText(e));
    },
  });
  return (
    <Dialog
      title={t('calendarFeeds.revokeTitle', { name: feed.name })}
      onClose={onClose}
      busy={revoke.isPending}
      testId="feed-revoke-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={revoke.isPending}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="danger"
            busy={revoke.isPending}
            onClick={() => revoke.mutate()}
            data-testid="feed-revoke-confirm"
          >
            {t('calendarFeeds.revoke')}
          </Button>
        </>
      }
    >
      <p>{t('calendarFeeds.revokeText')}</p>
    </Dialog>
  );
}
