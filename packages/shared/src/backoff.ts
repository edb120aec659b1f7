/**
 * Reconnect delay with "full jitter" (AWS architecture blog, Exponential Backoff
 * And Jitter): a random delay between 0 and min(max, base·2^attempt). After a
 * server restart, clients spread their reconnects instead of arriving together.
 */
export function backoffDelay(attempt: number, opts: { baseMs?: number; maxMs?: number; random?: () => number } = {}): number {
  const base = opts.baseMs ?? 250;
  const max = opts.maxMs ?? 10_000;
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(random() * ceiling);
}
