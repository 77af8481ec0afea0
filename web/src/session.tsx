import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  api, setCsrfToken, setUnauthorizedHandler, type BuiltInField, type DealField, type DocumentKind, type Locale, type Pipeline, type User,
} from './api.js';
import { storeLocale, storedLocale } from './i18n/index.js';
import { useAsync } from './hooks.js';
import { useNameOf } from './labels.js';

interface SessionState {
  user: User | null;
  ready: boolean;
  locale: Locale;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** applies the language at once and saves it to the profile; rejects (after reverting) when saving fails */
  setLocale: (l: Locale) => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);
export const useSession = () => useContext(SessionContext)!;

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);
  const [locale, setLocaleState] = useState<Locale>(storedLocale());

  useEffect(() => {
    setUnauthorizedHandler(() => { setUser(null); setCsrfToken(null); });
    api.get<{ user: User; csrfToken: string | null }>('/auth/me', { quiet401: true })
      .then((r) => { setCsrfToken(r.csrfToken); setUser(r.user); setLocaleState(r.user.locale); storeLocale(r.user.locale); })
      .catch(() => { /* logged out, or the server is down: the login page says which */ })
      .finally(() => setReady(true));
    return () => setUnauthorizedHandler(null);
  }, []);

  useEffect(() => { document.documentElement.lang = locale; }, [locale]);

  /** a language picked on the login page; saved to the profile once logged in */
  const pickedBeforeLogin = useRef<Locale | null>(null);

  const login = useCallback(async (email: string, password: string) => {
    const r = await api.post<{ user: User; csrfToken: string }>('/auth/login', { email, password });
    setCsrfToken(r.csrfToken);
    let u = r.user;
    const picked = pickedBeforeLogin.current;
    pickedBeforeLogin.current = null;
    if (picked && picked !== u.locale) {
      try { u = await api.patch<User>('/auth/me', { locale: picked }); } catch { /* keep the profile's language */ }
    }
    setUser(u);
    setLocaleState(u.locale);
    storeLocale(u.locale);
  }, []);

  const logout = useCallback(async () => {
    try { await api.post('/auth/logout'); } finally { setCsrfToken(null); setUser(null); }
  }, []);

  const setLocale = useCallback(async (l: Locale) => {
    const before = locale;
    setLocaleState(l);
    storeLocale(l);
    if (!user) { pickedBeforeLogin.current = l; return; }
    try {
      const u = await api.patch<User>('/auth/me', { locale: l });
      setUser(u);
    } catch (e) {
      setLocaleState(before);
      storeLocale(before);
      throw e;
    }
  }, [locale, user]);

  const value = useMemo(() => ({ user, ready, locale, login, logout, setLocale }), [user, ready, locale, login, logout, setLocale]);
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
  const nameOf = useNameOf();
  const pipelines = useAsync(() => api.get<{ items: Pipeline[] }>('/pipelines').then((r) => r.items), []);
  const kinds = useAsync(() => api.get<{ items: DocumentKind[] }>('/document-kinds').then((r) => r.items), []);
  const fields = useAsync(() => api.get<{ items: DealField[]; builtIn?: BuiltInField[] }>('/deal-fields'), []);
  const { reload: reloadKinds } = kinds;
  const { reload: reloadDealFields } = fields;
  const value = useMemo<RefData>(() => {
    // pipelines and stages named in the user's language; sourcePipelines keeps the names as defined, for the editor
    const list = (pipelines.data ?? []).map((p) => ({
      ...p, name: nameOf(p), stages: [...p.stages].sort((a, b) => a.position - b.position).map((s) => ({ ...s, name: nameOf(s) })),
    }));
    const stages = new Map(list.flatMap((p) => p.stages.map((s) => [s.id, { stage: s, pipeline: p }] as const)));
    return {
      pipelines: list,
      sourcePipelines: pipelines.data ?? [],
      pipelinesError: pipelines.error,
      pipelinesLoading: pipelines.loading && !pipelines.data,
      reloadPipelines: pipelines.reload,
      documentKinds: kinds.data ?? [],
      dealFields: fields.data?.items ?? [],
      builtInFields: fields.data?.builtIn ?? [
        { key: 'amount', label: 'Amount', type: 'money' },
        { key: 'expectedCloseDate', label: 'Expected close date', type: 'date' },
        { key: 'contactId', label: 'Contact', type: 'contact' },
      ],
      reloadFields: () => Promise.all([reloadKinds(), reloadDealFields()]),
      stageById: (id) => (id ? stages.get(id) ?? null : null),
    };
  }, [nameOf, pipelines.data, pipelines.error, pipelines.loading, pipelines.reload, kinds.data, fields.data, reloadKinds, reloadDealFields]);
  return <RefContext.Provider value={value}>{children}</RefContext.Provider>;
}
