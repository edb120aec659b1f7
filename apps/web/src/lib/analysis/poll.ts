/**
 * Calls `fn` now and then every `ms` while the page is visible (and at once
 * when it becomes visible again). Calls never overlap. Returns a stop function.
 */
export function pollWhileVisible(fn: () => Promise<void> | void, ms: number): () => void {
  let running = false;
  let stopped = false;
  const run = async (): Promise<void> => {
    if (stopped || running || document.hidden) return;
    running = true;
    try {
      await fn();
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), ms);
  const onVisible = (): void => {
    if (!document.hidden) void run();
  };
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    stopped = true;
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
