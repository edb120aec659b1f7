/// <reference lib="webworker" />
/**
 * Concord's service worker: keeps the app shell (index.html, JS, CSS of the
 * current build) so that the app opens — and a transcript opens from IndexedDB —
 * when the page is reloaded without a network.
 *
 * - Precaches exactly the files of this build (the list is injected at build
 *   time by vite-plugin.ts) with Workbox's precaching.
 * - Navigations get the cached index.html (the app routes on the client), so a
 *   reload works offline; the next deployment is picked up in the background
 *   and used from the following load on.
 * - /api/ and /sync/ are never cached or answered here: they go to the network
 *   as if there were no worker.
 * - A new build's worker takes over at once (skipWaiting + clientsClaim) and
 *   deletes the previous build's files and any other cache.
 */
import { cacheNames, clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope;
/** Injected by vite-plugin.ts. */
declare const __CONCORD_PRECACHE__: PrecacheEntry[];
declare const __CONCORD_BUILD__: string;
declare const __CONCORD_BASE__: string;

const NOT_OURS = [new RegExp(`^${__CONCORD_BASE__}(api|sync)(/|$)`)];

self.addEventListener('install', () => {
  void self.skipWaiting();
});
clientsClaim();
cleanupOutdatedCaches();
precacheAndRoute(__CONCORD_PRECACHE__);
registerRoute(new NavigationRoute(createHandlerBoundToURL(`${__CONCORD_BASE__}index.html`), { denylist: NOT_OURS }));

// caches of anything else (earlier workers, other names) go when this build takes over
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== cacheNames.precache).map((k) => caches.delete(k)))),
  );
});

// the page (and tests) can ask which build is in charge
self.addEventListener('message', (event) => {
  const data: unknown = event.data;
  if (data && typeof data === 'object' && (data as { type?: unknown }).type === 'concord:version') {
    event.ports[0]?.postMessage({ build: __CONCORD_BUILD__ });
  }
});
