import { inboxApi } from './api.ts';

export const INBOX_POLL_MS = 15_000;

/**
 * The signed-in user's unread inbox count, shown in the app header. Refreshed
 * every 15 s while some view uses it (and the tab is visible) and whenever the
 * window gets focus again.
 */
class UnreadCount {
  count = $state(0);
  /** Whether the count was ever loaded. */
  known = $state(false);

  #users = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #inflight: Promise<void> | null = null;

  readonly #onFocus = (): void => void this.refresh();
  readonly #onVisible = (): void => {
    if (!document.hidden) void this.refresh();
  };

  /** Starts polling for one user of the count; returns the function that stops it. */
  use(): () => void {
    if (this.#users++ === 0) {
      void this.refresh();
      this.#timer = setInterval(() => {
        if (!document.hidden) void this.refresh();
      }, INBOX_POLL_MS);
      addEventListener('focus', this.#onFocus);
      document.addEventListener('visibilitychange', this.#onVisible);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.#users === 0) {
        if (this.#timer) clearInterval(this.#timer);
        this.#timer = null;
        removeEventListener('focus', this.#onFocus);
        document.removeEventListener('visibilitychange', this.#onVisible);
      }
    };
  }

  refresh(): Promise<void> {
    this.#inflight ??= inboxApi
      .unread()
      .then(({ unread }) => this.set(unread))
      .catch(() => undefined)
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }

  set(n: number): void {
    this.count = Math.max(0, n);
    this.known = true;
  }
}

export const unread = new UnreadCount();
