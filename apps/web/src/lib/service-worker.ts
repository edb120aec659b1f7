/**
 * Registers the service worker (built by sw/vite-plugin.ts) that keeps the app
 * shell for offline reloads. Production builds only: under `vite dev` there is
 * no worker, so nothing stale is ever served while developing.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator) || !isSecureContext) return;
  const register = (): void => {
    navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).catch((e: unknown) => {
      // offline reloads will not work, everything else does
      console.warn('Concord: the offline app cache is not available:', e instanceof Error ? e.message : e);
    });
  };
  // after the page's own loading, so the precache does not compete with it
  if (document.readyState === 'complete') register();
  else addEventListener('load', register, { once: true });
}
