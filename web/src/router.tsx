/**
 * Navigation helpers over React Router (declarative mode, routes in app.tsx): the app's pages use these so that links,
 * redirects and the query string read the same everywhere.
 */
import { useMemo, type AnchorHTMLAttributes } from 'react';
import { Link as RouterLink, Navigate, useLocation as useRouterLocation, type NavigateFunction } from 'react-router';

let go: NavigateFunction | null = null;
/** Called by app.tsx with the router's navigate, so code outside components can navigate. */
export const setNavigator = (n: NavigateFunction) => {
  go = n;
};

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  const current = location.pathname + location.search;
  if (to === current) return;
  void go?.(to, { replace: opts.replace });
  if (!opts.replace) window.scrollTo(0, 0);
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const { pathname, search } = useRouterLocation();
  return useMemo(
    () => ({ path: pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(search) }),
    [pathname, search],
  );
}

export function Link({ to, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return <RouterLink to={to} {...rest} />;
}

export function Redirect({ to }: { to: string }) {
  return <Navigate to={to} replace />;
}
