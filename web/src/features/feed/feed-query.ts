/** The feed's reads and writes: pages of posts by filter, comments, the unread count, posting and following. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, call, client, type RequestBody } from '../../api.js';
import type { components } from '../../api/schema.js';
import { FEED_UNREAD } from './feed-unread.js';

export type FeedPost = components['schemas']['FeedPost'];
export type FeedComment = components['schemas']['FeedComment'];
export type FeedAttachment = components['schemas']['FeedAttachment'];
export type FeedShow = 'all' | 'mine' | 'mentions' | 'system' | 'following';
export type NewPost = RequestBody<'createFeedPost'>;

export interface FeedFilter {
  show: FeedShow;
  recordType?: 'deal' | 'client';
  recordId?: string;
}

export const feedKeys = {
  all: ['feed'] as const,
  posts: (f: FeedFilter) => ['feed', 'posts', f] as const,
  comments: (postId: string) => ['feed', 'comments', postId] as const,
  unread: FEED_UNREAD,
};

export function usePosts(f: FeedFilter) {
  return useInfiniteQuery({
    queryKey: feedKeys.posts(f),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        client.GET('/api/v1/feed/posts', {
          params: {
            query: {
              show: f.show,
              recordType: f.recordId ? f.recordType : undefined,
              recordId: f.recordId,
              cursor: pageParam,
              limit: 20,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useComments(postId: string, enabled: boolean) {
  return useQuery({
    queryKey: feedKeys.comments(postId),
    enabled,
    queryFn: () =>
      call(client.GET('/api/v1/feed/posts/{id}/comments', { params: { path: { id: postId } } })).then((r) => r.items),
  });
}

export const refreshFeed = (qc: QueryClient) => qc.invalidateQueries({ queryKey: feedKeys.all });

export function useCreatePost() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewPost) => call(client.POST('/api/v1/feed/posts', { body }), { method: 'POST' }),
    onSuccess: () => refreshFeed(qc),
  });
}

export function useAddComment(postId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      call(client.POST('/api/v1/feed/posts/{id}/comments', { params: { path: { id: postId } }, body: { body } }), {
        method: 'POST',
      }),
    onSuccess: () => refreshFeed(qc),
  });
}

export function useFollow(postId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (on: boolean) =>
      on
        ? call(client.PUT('/api/v1/feed/posts/{id}/follow', { params: { path: { id: postId } } }), { method: 'PUT' })
        : call(client.DELETE('/api/v1/feed/posts/{id}/follow', { params: { path: { id: postId } } }), {
            method: 'DELETE',
          }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['feed', 'posts'] }),
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => call(client.POST('/api/v1/feed/read', { body: {} }), { method: 'POST' }),
    onSuccess: () => qc.setQueryData(feedKeys.unread, 0),
  });
}

export const uploadAttachment = (file: File) => {
  const form = new FormData();
  form.append('file', file);
  return api.post<FeedAttachment>('/feed/attachments', form);
};

export const searchMentionable = (
  q: string,
  audience: Pick<NewPost, 'audience' | 'departmentId' | 'recordType' | 'recordId'>,
) => call(client.GET('/api/v1/feed/mentionable', { params: { query: { ...audience, q } } })).then((r) => r.items);

/** A random UUID (v4) for a request's opId; getRandomValues, unlike randomUUID, also works on a plain-http address. */
export function newOpId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** "Make it a document": the post and its attachments become catalog documents; the same opId makes them once. */
export function useMakeDocument(postId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RequestBody<'makeFeedPostDocument'>) =>
      call(client.POST('/api/v1/feed/posts/{id}/document', { params: { path: { id: postId } }, body }), {
        method: 'POST',
      }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ['documents'] }),
        qc.invalidateQueries({ queryKey: ['feed', 'posts'] }),
      ]),
  });
}
