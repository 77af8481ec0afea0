/**
 * The feed (/feed): post to the company, a department or about a deal or client (with @mentions and attachments),
 * comment, follow; filters (all, mine, mentions, system events, following; a deal or client from ?recordType=&recordId=).
 * New posts and comments arrive live through the stream (feed-live.ts); the feed counts as read while it is open.
 */
import { NativeSelect, SegmentedControl, Textarea } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import type { Department } from '../../api.js';
import { call, client } from '../../api.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';
import { Avatar, Button, Empty, ErrorBox, Icon, Loading, formatSize, usePageTitle } from '../../ui.js';
import { onLiveFeed } from './feed-live.js';
import {
  feedKeys,
  searchMentionable,
  uploadAttachment,
  useAddComment,
  useComments,
  useCreatePost,
  useFollow,
  useMarkRead,
  usePosts,
  type FeedAttachment,
  type FeedPost,
  type FeedShow,
  type NewPost,
} from './feed-query.js';
import { CatalogPicker, type PickedDocument } from './catalog-picker.js';
import { MakeDocumentDialog } from './make-document.js';
import { renderMarkdown } from './markdown.js';
import './feed.css';

const SHOWS: FeedShow[] = ['all', 'mine', 'mentions', 'system', 'following'];
const SYSTEM_TEXT: Record<string, MessageKey> = {
  deal_won: 'feed.system.dealWon',
  deal_lost: 'feed.system.dealLost',
  stage_passed: 'feed.system.stagePassed',
  plan_finalised: 'feed.system.planFinalised',
  result_overdue: 'feed.system.resultOverdue',
  task_overdue: 'feed.system.taskOverdue',
};

type RecordType = 'deal' | 'client';
const recordHref = (r: NonNullable<FeedPost['record']>) =>
  r.type === 'deal'
    ? `/deals/${r.id}`
    : r.type === 'client'
      ? `/clients/${r.id}`
      : r.type === 'event'
        ? `/calendar?event=${r.id}`
        : null;

/** The text of a post or comment, Markdown rendered safely (markdown.ts). */
function Markdown({ text, testId }: { text: string; testId?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  // sanitised by DOMPurify in renderMarkdown (markdown.ts)
  return <div className="feed-md" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** A textarea that offers the people who may be mentioned when an @ is typed, and inserts their mention. */
function MentionInput({
  value,
  onChange,
  audience,
  label,
  testId,
  minRows = 3,
}: {
  value: string;
  onChange: (v: string) => void;
  audience: Pick<NewPost, 'audience' | 'departmentId' | 'recordType' | 'recordId'>;
  label: string;
  testId: string;
  minRows?: number;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<string | null>(null);
  const people = useQuery({
    queryKey: ['feed', 'mentionable', audience, query],
    enabled: query !== null,
    queryFn: () => searchMentionable(query ?? '', audience),
  });
  const change = (e: ChangeEvent<HTMLTextAreaElement>) => {
    onChange(e.target.value);
    const before = e.target.value.slice(0, e.target.selectionStart);
    const m = /(^|\s)@([^\s@[\]()]{0,40})$/.exec(before);
    setQuery(m ? m[2] : null);
  };
  const pick = (u: { id: string; name: string }) => {
    const el = ref.current;
    const caret = el?.selectionStart ?? value.length;
    const before = value.slice(0, caret).replace(/@([^\s@[\]()]{0,40})$/, '');
    const token = `@[${u.name.replace(/[[\]\n]/g, '')}](${u.id}) `;
    onChange(before + token + value.slice(caret));
    setQuery(null);
    requestAnimationFrame(() => el?.focus());
  };
  const keys = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setQuery(null);
  };
  return (
    <div className="feed-mention-input">
      <Textarea
        ref={ref}
        value={value}
        onChange={change}
        onKeyDown={keys}
        aria-label={label}
        placeholder={label}
        autosize
        minRows={minRows}
        maxRows={12}
        data-testid={testId}
      />
      {query !== null && people.data?.length ? (
        <ul
          className="feed-mention-list"
          role="listbox"
          aria-label={t('feed.mentionPeople')}
          data-testid="mention-list"
        >
          {people.data.map((u) => (
            <li key={u.id}>
              <button type="button" role="option" aria-selected={false} onClick={() => pick(u)}>
                <Avatar name={u.name} size={20} /> {u.name}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Composer({ record }: { record: { type: RecordType; id: string } | null }) {
  const { t } = useI18n();
  const departments = useQuery({
    queryKey: ['departments'],
    queryFn: () => call(client.GET('/api/v1/departments')).then((r) => r.items as Department[]),
  });
  const [target, setTarget] = useState(record ? 'record' : 'company');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<FeedAttachment[]>([]);
  const [docs, setDocs] = useState<PickedDocument[]>([]);
  const [picking, setPicking] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const create = useCreatePost();
  const audience: Pick<NewPost, 'audience' | 'departmentId' | 'recordType' | 'recordId'> =
    target === 'record' && record
      ? { audience: 'record', recordType: record.type, recordId: record.id }
      : target.startsWith('dep:')
        ? { audience: 'department', departmentId: target.slice(4) }
        : { audience: 'company' };
  const attach = async (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = [...(e.target.files ?? [])];
    e.target.value = '';
    setUploading(true);
    setUploadError(null);
    try {
      for (const f of chosen) {
        const a = await uploadAttachment(f);
        setFiles((x) => [...x, a]);
      }
    } catch (err) {
      setUploadError(err);
    } finally {
      setUploading(false);
    }
  };
  const submit = () => {
    if (!body.trim()) return;
    create.mutate(
      {
        ...audience,
        body,
        attachmentIds: files.length ? files.map((f) => f.id) : undefined,
        documentIds: docs.length ? docs.map((d) => d.id) : undefined,
      },
      {
        onSuccess: () => {
          setBody('');
          setFiles([]);
          setDocs([]);
        },
      },
    );
  };
  const options = [
    { value: 'company', label: t('feed.audience.company') },
    ...(record
      ? [{ value: 'record', label: t(record.type === 'deal' ? 'feed.audience.deal' : 'feed.audience.client') }]
      : []),
    ...(departments.data ?? []).map((d) => ({
      value: `dep:${d.id}`,
      label: t('feed.audience.department', { name: d.name }),
    })),
  ];
  return (
    <section className="card feed-composer" data-testid="feed-composer">
      <div className="card-body">
        {create.error ? <ErrorBox error={create.error} /> : null}
        {uploadError ? <ErrorBox error={uploadError} /> : null}
        <MentionInput value={body} onChange={setBody} audience={audience} label={t('feed.write')} testId="feed-body" />
        {files.length ? (
          <ul className="feed-files" data-testid="composer-files">
            {files.map((f) => (
              <li key={f.id} className="chip">
                <Icon name="file" size={14} /> {f.fileName} ({formatSize(f.size)})
                <button
                  type="button"
                  className="chip-x"
                  aria-label={t('feed.removeFile', { name: f.fileName })}
                  onClick={() => setFiles((x) => x.filter((y) => y.id !== f.id))}
                >
                  <Icon name="x" size={12} />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {docs.length ? (
          <ul className="feed-files" data-testid="composer-documents">
            {docs.map((d) => (
              <li key={d.id} className="chip chip-blue">
                <Icon name="archive" size={14} /> {d.title}
                <button
                  type="button"
                  className="chip-x"
                  aria-label={t('feed.catalog.remove', { name: d.title })}
                  onClick={() => setDocs((x) => x.filter((y) => y.id !== d.id))}
                >
                  <Icon name="x" size={12} />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <div className="feed-composer-actions">
          <NativeSelect
            aria-label={t('feed.audience.label')}
            data={options}
            value={target}
            onChange={(e) => setTarget(e.currentTarget.value)}
            data-testid="feed-audience"
          />
          <label className="btn-like" data-testid="feed-attach">
            <Icon name="upload" size={16} /> {uploading ? t('feed.uploading') : t('feed.attach')}
            <input type="file" multiple hidden onChange={(e) => void attach(e)} />
          </label>
          <Button icon="archive" onClick={() => setPicking(true)} data-testid="feed-pick-documents">
            {t('feed.catalog.pick')}
          </Button>
          <div className="toolbar-spacer" />
          <Button
            variant="primary"
            icon="plus"
            busy={create.isPending}
            disabled={!body.trim() || uploading}
            onClick={submit}
            data-testid="feed-submit"
          >
            {t('feed.post')}
          </Button>
        </div>
        <p className="muted feed-hint">{t('feed.hint')}</p>
      </div>
      {picking ? (
        <CatalogPicker
          picked={docs}
          onPick={(d) => setDocs((x) => (x.some((y) => y.id === d.id) ? x : [...x, d]))}
          onClose={() => setPicking(false)}
        />
      ) : null}
    </section>
  );
}

function Comments({ post }: { post: FeedPost }) {
  const { t, dateTime } = useI18n();
  const comments = useComments(post.id, true);
  const add = useAddComment(post.id);
  const [body, setBody] = useState('');
  const audience: Pick<NewPost, 'audience' | 'departmentId' | 'recordType' | 'recordId'> =
    post.audience === 'department'
      ? { audience: 'department', departmentId: post.department!.id }
      : post.audience === 'record' && post.record
        ? { audience: 'record', recordType: post.record.type, recordId: post.record.id }
        : { audience: 'company' };
  return (
    <div className="feed-comments" data-testid="feed-comments">
      {comments.isPending ? <Loading /> : null}
      {comments.data?.map((c) => (
        <div key={c.id} className="feed-comment" data-testid="feed-comment">
          <Avatar name={c.author.name} size={22} />
          <div>
            <div className="feed-meta">
              <strong>{c.author.name}</strong> <span className="muted">{dateTime(c.createdAt)}</span>
            </div>
            <Markdown text={c.body} />
          </div>
        </div>
      ))}
      {add.error ? <ErrorBox error={add.error} /> : null}
      <MentionInput
        value={body}
        onChange={setBody}
        audience={audience}
        label={t('feed.comment')}
        testId="comment-body"
        minRows={1}
      />
      <div className="feed-composer-actions">
        <div className="toolbar-spacer" />
        <Button
          size="sm"
          busy={add.isPending}
          disabled={!body.trim()}
          onClick={() => add.mutate(body, { onSuccess: () => setBody('') })}
          data-testid="comment-send"
        >
          {t('feed.send')}
        </Button>
      </div>
    </div>
  );
}

function PostCard({ post }: { post: FeedPost }) {
  const { t, dateTime } = useI18n();
  const [open, setOpen] = useState(false);
  const [making, setMaking] = useState(false);
  const follow = useFollow(post.id);
  const href = post.record ? recordHref(post.record) : null;
  const about = post.record ? (post.record.title ?? t('feed.recordGone')) : null;
  const where =
    post.audience === 'company'
      ? t('feed.audience.company')
      : post.audience === 'department'
        ? t('feed.audience.department', { name: post.department?.name ?? '' })
        : null;
  return (
    <article
      className={`card feed-post ${post.systemKind ? 'feed-system' : ''}`}
      data-testid="feed-post"
      data-post-id={post.id}
    >
      <div className="card-body">
        <header className="feed-post-head">
          {post.author ? (
            <Avatar name={post.author.name} size={32} />
          ) : (
            <span className="feed-system-icon">
              <Icon name="flow" />
            </span>
          )}
          <div className="feed-post-who">
            <strong>{post.author?.name ?? t('feed.systemAuthor')}</strong>
            <span className="muted">
              {dateTime(post.createdAt)}
              {where ? ` · ${where}` : null}
            </span>
          </div>
          {about ? (
            href ? (
              <Link to={href} className="chip chip-blue" data-testid="post-record">
                {about}
              </Link>
            ) : (
              <span className="chip" data-testid="post-record">
                {about}
              </span>
            )
          ) : null}
        </header>
        {post.systemKind ? (
          <p className="feed-system-text" data-testid="post-system">
            {t(SYSTEM_TEXT[post.systemKind] ?? 'feed.system.other', {
              title: about ?? '',
              stage: typeof post.data.stage === 'string' ? post.data.stage : '',
              task: typeof post.data.task === 'string' ? post.data.task : '',
              regulation: typeof post.data.regulation === 'string' ? post.data.regulation : '',
            })}
            {post.systemKind === 'task_overdue' && typeof post.data.instanceId === 'string' ? (
              <>
                {' '}
                <Link to={`/regulations/instances/${post.data.instanceId}`} data-testid="post-instance">
                  {t('feed.system.openInstance')}
                </Link>
              </>
            ) : null}
          </p>
        ) : (
          <Markdown text={post.body} testId="post-body" />
        )}
        {post.attachments.length ? (
          <ul className="feed-files">
            {post.attachments.map((a) => (
              <li key={a.id}>
                <a className="chip" href={`/api/v1/feed/attachments/${a.id}/content`} download={a.fileName}>
                  <Icon name="download" size={14} /> {a.fileName} ({formatSize(a.size)})
                </a>
              </li>
            ))}
          </ul>
        ) : null}
        {post.documents.length ? (
          <ul className="feed-files" data-testid="post-documents">
            {post.documents.map((d) => (
              <li key={d.id}>
                <Link to={`/documents?open=${d.id}`} className="chip chip-blue" data-testid="post-document">
                  <Icon name="archive" size={14} /> {d.title}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
        {post.madeDocuments.length ? (
          <p className="muted feed-made" data-testid="post-made-documents">
            {t('feed.madeInto')}{' '}
            {post.madeDocuments.map((d, i) => (
              <span key={d.id}>
                {i ? ', ' : null}
                <Link to={`/documents?open=${d.id}`}>{d.title}</Link>
              </span>
            ))}
          </p>
        ) : null}
        <footer className="feed-post-foot">
          <button
            type="button"
            className="link"
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
            data-testid="post-comments"
          >
            {t('feed.comments', { count: post.commentCount })}
          </button>
          <button
            type="button"
            className="link"
            onClick={() => follow.mutate(!post.following)}
            aria-pressed={post.following}
            data-testid="post-follow"
          >
            {post.following ? t('feed.unfollow') : t('feed.follow')}
          </button>
          {post.systemKind ? null : (
            <button type="button" className="link" onClick={() => setMaking(true)} data-testid="post-make-document">
              {t('feed.makeDocument')}
            </button>
          )}
        </footer>
        {open ? <Comments post={post} /> : null}
        {making ? <MakeDocumentDialog post={post} onClose={() => setMaking(false)} /> : null}
      </div>
    </article>
  );
}

export function FeedPage() {
  const { t } = useI18n();
  usePageTitle(t('feed.title'));
  const { query } = useLocation();
  const qc = useQueryClient();
  const { user } = useSession();
  const show = (SHOWS as string[]).includes(query.get('show') ?? '') ? (query.get('show') as FeedShow) : 'all';
  const rt = query.get('recordType');
  const recordType: RecordType | null = rt === 'deal' || rt === 'client' ? rt : null;
  const rid = query.get('recordId');
  const record = useMemo(() => (recordType && rid ? { type: recordType, id: rid } : null), [recordType, rid]);
  const posts = usePosts({ show, recordType: record?.type, recordId: record?.id });
  const { mutate: markRead } = useMarkRead();
  // the feed is read while it is open: now, and whenever something new arrives
  useEffect(() => {
    markRead();
    return onLiveFeed((e) => {
      void qc.invalidateQueries({ queryKey: ['feed', 'posts'] });
      if (e?.commentId) void qc.invalidateQueries({ queryKey: feedKeys.comments(e.postId) });
      if (!e || e.authorId !== user?.id) markRead();
    });
  }, [qc, user?.id, markRead]);
  const setShow = (s: string) => {
    const q = new URLSearchParams(query);
    if (s === 'all') q.delete('show');
    else q.set('show', s);
    navigate(`/feed${q.size ? `?${q.toString()}` : ''}`, { replace: true });
  };
  const items = posts.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page feed-page" data-testid="feed-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('feed.title')}</h1>
        </div>
      </header>
      <div className="feed-column">
        <Composer key={record?.id ?? 'company'} record={record} />
        <div className="toolbar feed-filters">
          <SegmentedControl
            size="xs"
            value={show}
            onChange={setShow}
            data={SHOWS.map((s) => ({ value: s, label: t(`feed.show.${s}` as MessageKey) }))}
            aria-label={t('feed.filter')}
            data-testid="feed-show"
          />
          {record ? (
            <span className="chip chip-blue" data-testid="feed-record-filter">
              {t(record.type === 'deal' ? 'feed.aboutDeal' : 'feed.aboutClient')}
              <button
                type="button"
                className="chip-x"
                aria-label={t('feed.clearRecord')}
                onClick={() => navigate('/feed')}
              >
                <Icon name="x" size={12} />
              </button>
            </span>
          ) : null}
        </div>
        {posts.error ? <ErrorBox error={posts.error} /> : null}
        {posts.isPending ? <Loading /> : null}
        {!posts.isPending && !items.length ? <Empty icon="file">{t('feed.empty')}</Empty> : null}
        <div className="feed-list" data-testid="feed-list">
          {items.map((p) => (
            <PostCard key={p.id} post={p} />
          ))}
        </div>
        {posts.hasNextPage ? (
          <Button busy={posts.isFetchingNextPage} onClick={() => void posts.fetchNextPage()} data-testid="feed-more">
            {t('feed.more')}
          </Button>
        ) : null}
      </div>
    </div>
  );
}
