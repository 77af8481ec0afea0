/** Users for administrators: the list (searched by name or email, a page at a time), every user, and the writes. */
import { useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { allPages, call, client, type Page, type RequestBody, type User } from '../../api.js';

export const USERS = ['users'] as const;
export const PAGE_SIZE = 50;

export const userListQuery = (q: string) => ({
  queryKey: [...USERS, 'list', q] as const,
  queryFn: ({ pageParam }: { pageParam: string | null }) =>
    call(
      client.GET('/api/v1/users', {
        params: { query: { q: q || undefined, limit: PAGE_SIZE, cursor: pageParam ?? undefined } },
      }),
    ),
  initialPageParam: null as string | null,
  getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor,
});

/** Every user (bounded): the department dialog picks members among them and must know who is where now. */
export const allUsersQuery = {
  queryKey: [...USERS, 'all'] as const,
  queryFn: () => allPages<User>('/users', {}),
};

export type UserChanges = Omit<RequestBody<'updateUser'>, 'version'>;
export type Invitation = RequestBody<'inviteUser'>;

/** The user as saved goes into every cached list at once; the lists are read again behind it. */
export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { user: User; changes: UserChanges }) =>
      call(
        client.PATCH('/api/v1/users/{id}', {
          params: { path: { id: v.user.id } },
          body: { version: v.user.version, ...v.changes },
        }),
        { method: 'PATCH' },
      ),
    onSuccess: (u) => {
      qc.setQueriesData<InfiniteData<Page<User>>>({ queryKey: [...USERS, 'list'] }, (d) =>
        d ? { ...d, pages: d.pages.map((p) => ({ ...p, items: p.items.map((x) => (x.id === u.id ? u : x)) })) } : d,
      );
      qc.setQueryData<User[]>(allUsersQuery.queryKey, (l) => l?.map((x) => (x.id === u.id ? u : x)));
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: USERS });
      // a user's department changes the departments' member counts
      void qc.invalidateQueries({ queryKey: ['departments'] });
    },
  });
}

export function useInviteUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Invitation) => call(client.POST('/api/v1/users', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: USERS }),
  });
}
