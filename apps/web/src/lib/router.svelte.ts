import { parsePath, pathOf, type Route } from './routes.ts';

export type { Route } from './routes.ts';

class Router {
  route = $state<Route>(parsePath(location.pathname, location.search));

  constructor() {
    addEventListener('popstate', () => {
      this.route = parsePath(location.pathname, location.search);
    });
  }

  go(target: Route | string, opts: { replace?: boolean } = {}): void {
    const path = typeof target === 'string' ? target : pathOf(target);
    if (path === location.pathname + location.search) return;
    if (opts.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    const url = new URL(path, location.origin);
    this.route = parsePath(url.pathname, url.search);
    if (!opts.replace) scrollTo(0, 0);
  }

  /** Click handler for in-app links: keeps modified clicks (new tab) native. */
  link = (e: MouseEvent): void => {
    const a = (e.currentTarget as HTMLElement).closest('a');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/')) return;
    e.preventDefault();
    this.go(href);
  };
}

export const router = new Router();
