import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import {
  ApiError,
  api,
  setCsrfToken,
  setUnauthorizedHandler,
  type BuiltInField,
  type DealField,
  type DocumentKind,
  type Locale,
  type Pipeline,
  type User,
} from './api.js';
import { boardQuery, bootBoardTarget } from './features/board/board-query.js';
import { DEAL_FIELDS_PATH, DOCUMENT_KINDS_PATH, ME_PATH, PIPELINES_PATH } from './boot/boot-reads.js';
import { storeLocale, storedLocale } from './i18n/index.js';
import { qk, queryClient } from './query.js';
import { useNameOf } from './labels.js';

interface Me {
  user: User;
  csrfToken: string | null;
}

/** GET /auth/me: the user and the CSRF token, or null when logged out. */
const meQuery = {
  queryKey: qk.me,
  queryFn: async (): Promise<Me | null> => {
    try {
      const r = await api.get<Me>(ME_PATH, { quiet401: true });
      setCsrfToken(r.csrfToken);
      return r;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  },
  staleTime: Infinity,
  retry: false,
} as const;

const pipelinesQuery = {
  queryKey: qk.pipelines,
  queryFn: () => api.get<{ items: Pipeline[] }>(PIPELINES_PATH).then((r) => r.items),
};
const kindsQuery = {
  queryKey: qk.documentKinds,
  queryFn: () => api.get<{ items: DocumentKind[] }>(DOCUMENT_KINDS_PATH).then((r) => r.items),
};
const fieldsQuery = {
  queryKey: qk.dealFields,
  queryFn: () => api.get<{ items: DealField[]; builtIn?: BuiltInField[] }>(DEAL_FIELDS_PATH),
};

/**
 * Called before the first render: the session, the reference data and — on the board, when the pipeline is known
 * from the address or the last visit — the board itself are requested together (boot/boot-reads.ts; the early boot
 * script asked for them before the app's code had loaded, and their queries take its answers), so the board needs no
 * round trip after the shell. A logged-out visitor's reads answer 401 and are dropped. Resolves when all have
 * answered (never rejects).
 */
export function prefetchAtBoot(): Promise<unknown> {
  const me = queryClient.prefetchQuery(meQuery);
  if (location.pathname === '/login') return me;
  const quiet = { retry: false } as const;
  const board = bootBoardTarget();
  return Promise.all([
    me,
    queryClient.prefetchQuery({ ...pipelinesQuery, ...quiet }),
    queryClient.prefetchQuery({ ...kindsQuery, ...quiet }),
    queryClient.prefetchQuery({ ...fieldsQuery, ...quiet }),
    board ? queryClient.prefetchQuery({ ...boardQuery(board.pipelineId, board.filter), ...quiet }) : null,
  ]);
}

interface SessionState {
  user: User | null;
  ready: boolean;
  locale: Locale;
  /** the session ended while logged in: a dialog asks for the password again, the page and its unsaved input stay */
  expired: boolean;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** applies the language at once and saves it to the profile; rejects (after reverting) when saving fails */
  setLocale: (l: Locale) => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);
export const useSession = () => useContext(SessionContext)!;

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useQuery(meQuery);
  const user = me.data?.user ?? null;
  const ready = !me.isPending;
  const [locale, setLocaleState] = useState<Locale>(storedLocale());
  /** the session ended while the user was working: a dialog asks to log in again, the page and its input stay */
  const [expired, setExpired] = useState(false);
  const userRef = useRef(user);
  useLayoutEffect(() => {
    userRef.current = user;
  });

  useEffect(() => {
    if (me.data?.user) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- the account's locale, once read, wins
      setLocaleState(me.data.user.locale);
      storeLocale(me.data.user.locale);
    }
  }, [me.data]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (userRef.current) setExpired(true);
      else {
        setCsrfToken(null);
        qc.setQueryData(qk.me, null);
      }
    });
    return () => setUnauthorizedHandler(null);
  }, [qc]);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  /** a language picked on the login page; saved to the profile once logged in */
  const pickedBeforeLogin = useRef<Locale | null>(null);

  const login = useCallback(
    async (email: string, password: string) => {
      const r = await api.post<Me & { csrfToken: string }>('/auth/login', { email, password });
      setCsrfToken(r.csrfToken);
      let u = r.user;
      const picked = pickedBeforeLogin.current;
      pickedBeforeLogin.current = null;
      if (picked && picked !== u.locale) {
        try {
          u = await api.patch<User>('/auth/me', { locale: picked });
        } catch {
          /* keep the profile's language */
        }
      }
      const before = userRef.current;
      qc.setQueryData<Me | null>(qk.me, () => ({ user: u, csrfToken: r.csrfToken }));
      setLocaleState(u.locale);
      storeLocale(u.locale);
      setExpired(false);
      // logged in again after an expiry: what was read with the old session is read again; another user starts clean
      if (before && before.id !== u.id) qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      else void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    },
    [qc],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/auth/logout');
    } finally {
      setCsrfToken(null);
      qc.setQueryData(qk.me, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    }
  }, [qc]);

  /** the languages picked are saved one after another, so the profile keeps the one picked last */
  const savingLocale = useRef<Promise<unknown>>(Promise.resolve());
  const localePicks = useRef(0);
  const setLocale = useCallback(
    async (l: Locale) => {
      const before = locale;
      const pick = ++localePicks.current;
      setLocaleState(l);
      storeLocale(l);
      if (!user) {
        pickedBeforeLogin.current = l;
        return;
      }
      const saved = savingLocale.current.catch(() => undefined).then(() => api.patch<User>('/auth/me', { locale: l }));
      savingLocale.current = saved;
      try {
        const u = await saved;
        // an earlier pick's answer is not shown: it would switch the page back to the language left
        if (pick === localePicks.current) qc.setQueryData<Me | null>(qk.me, (m) => (m ? { ...m, user: u } : m));
      } catch (e) {
        if (pick === localePicks.current) {
          setLocaleState(before);
          storeLocale(before);
        }
        throw e;
      }
    },
    [locale, user, qc],
  );

  const value = useMemo(
    () => ({ user, ready, locale, expired: expired && !!user, login, logout, setLocale }),
    [user, ready, locale, expired, login, logout, setLocale],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/* ---------- reference data shared by pages: pipelines, document kinds, custom deal fields ---------- */
interface RefData {
  pipelines: Pipeline[];
  /** pipelines with their names as defined (not translated): what the pipeline editor edits */
  sourcePipelines: Pipeline[];
  pipelinesError: unknown;
  pipelinesLoading: boolean;
  reloadPipelines: () => Promise<unknown>;
  documentKinds: DocumentKind[];
  dealFields: DealField[];
  builtInFields: BuiltInField[];
  reloadFields: () => Promise<unknown>;
  stageById: (id: string | null | undefined) => { stage: Pipeline['stages'][number]; pipeline: Pipeline } | null;
}
const RefContext = createContext<RefData | null>(null);
export const useRefData = () => useContext(RefContext)!;

export function RefDataProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const nameOf = useNameOf();
  const pipelines = useQuery(pipelinesQuery);
  const kinds = useQuery(kindsQuery);
  const fields = useQuery(fieldsQuery);
  const value = useMemo<RefData>(() => {
    // pipelines and stages named in the user's language; sourcePipelines keeps the names as defined, for the editor
    const list = (pipelines.data ?? []).map((p) => ({
      ...p,
      name: nameOf(p),
      stages: [...p.stages].sort((a, b) => a.position - b.position).map((s) => ({ ...s, name: nameOf(s) })),
    }));
    const stages = new Map(list.flatMap((p) => p.stages.map((s) => [s.id, { stage: s, pipeline: p }] as const)));
    return {
      pipelines: list,
      sourcePipelines: pipelines.data ?? [],
      pipelinesError: pipelines.error,
      pipelinesLoading: pipelines.isPending,
      reloadPipelines: () => qc.invalidateQueries({ queryKey: qk.pipelines }),
      documentKinds: kinds.data ?? [],
      dealFields: fields.data?.items ?? [],
      builtInFields: fields.data?.builtIn ?? [],
      reloadFields: () =>
        Promise.all([
          qc.invalidateQueries({ queryKey: qk.documentKinds }),
          qc.invalidateQueries({ queryKey: qk.dealFields }),
        ]),
      stageById: (id) => (id ? (stages.get(id) ?? null) : null),
    };
  }, [nameOf, pipelines.data, pipelines.error, pipelines.isPending, kinds.data, fields.data, qc]);
  return <RefContext.Provider value={value}>{children}</RefContext.Provider>;
}
