/**
 * Navigation helpers over React Router (declarative mode, routes in app.tsx): the app's pages use these so that links,
 * redirects and the query string read the same everywhere.
 */
import { useMemo, type AnchorHTMLAttributes } from 'react';
import { Navigate, useLocation as useRouterLocation, type NavigateFunction } from 'react-router';

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

/**
 * A link within the app: a plain anchor whose click (the main button, no modifier key, no other target) navigates
 * through the router, as React Router's Link does (a link to the page shown replaces it in the history) but at a
 * fraction of its cost: a board draws one on each of its hundreds of cards. `to` is an absolute path.
 */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return (
    <a
      {...rest}
      href={to}
      onClick={(e) => {
        onClick?.(e);
        const self = !rest.target || rest.target === '_self';
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.altKey || e.ctrlKey || e.shiftKey || !self || !go)
          return;
        e.preventDefault();
        void go(to, { replace: location.pathname + location.search + location.hash === to });
      }}
    />
  );
}

export function Redirect({ to }: { to: string }) {
  return <Navigate to={to} replace />;
}
