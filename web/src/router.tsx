/**
 * Navigation helpers over React Router (data router, routes in routes.tsx): the app's pages use these so that links,
 * redirects and the query string read the same everywhere.
 */
import { useMemo, type AnchorHTMLAttributes } from 'react';
import { Link as RouterLink, Navigate, useLocation as useRouterLocation, type DataRouter } from 'react-router';

let router: DataRouter | null = null;
/** Called once by routes.tsx with the app's router, so code outside components can navigate. */
export const setRouter = (r: DataRouter) => {
  router = r;
};

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  const current = location.pathname + location.search;
  if (to === current) return;
  void router?.navigate(to, { replace: opts.replace });
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
