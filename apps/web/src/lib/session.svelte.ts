import type { User } from '@concord/shared';
import { api, ApiError } from './api.ts';
import { forgetAll, isNetworkError, lastUser, rememberUser } from './last-known.ts';

/** The signed-in user, loaded from `GET /api/me` (401 when signed out). */
class Session {
  user = $state<User | null>(null);
  /** Whether the user is an instance administrator (the admin page). */
  admin = $state(false);
  /** 'loading' until the first /api/me answered. */
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);
  /**
   * The server could not be reached: `user` is the one last signed in on this
   * browser, so documents kept in IndexedDB can still be opened. Checked again
   * when the network returns.
   */
  offline = $state(false);

  #retry: ReturnType<typeof setInterval> | null = null;
  readonly #onOnline = (): void => void this.load();

  async load(): Promise<void> {
    try {
      const { user, admin } = await api.me();
      this.setUser(user);
      this.admin = admin === true;
      this.offline = false;
      this.status = 'ready';
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        this.setUser(null);
        this.offline = false;
        this.status = 'ready';
      } else if (isNetworkError(e) && (this.user ?? lastUser())) {
        // no network: go on as the last signed-in user (their documents are in this browser)
        this.user ??= lastUser();
        this.offline = true;
        this.status = 'ready';
      } else {
        this.user = null;
        this.status = 'error';
        this.error = e instanceof Error ? e.message : String(e);
      }
    }
    this.watchNetwork();
  }

  /** While offline: ask again when the browser says it is online, and every 30 s. */
  private watchNetwork(): void {
    if (this.offline && !this.#retry) {
      addEventListener('online', this.#onOnline);
      this.#retry = setInterval(() => void this.load(), 30_000);
    } else if (!this.offline && this.#retry) {
      removeEventListener('online', this.#onOnline);
      clearInterval(this.#retry);
      this.#retry = null;
    }
  }

  /** Sets the user, keeping the same object when nothing changed (pages keyed on it do not restart). */
  setUser(user: User | null): void {
    if (!user) {
      forgetAll();
      this.user = null;
      return;
    }
    const before = this.user ?? lastUser();
    if (before && before.id !== user.id) forgetAll();
    rememberUser(user);
    const cur = this.user;
    if (cur && cur.id === user.id && cur.name === user.name && cur.email === user.email) return;
    this.user = user;
  }

  async login(email: string, password: string): Promise<void> {
    const { user } = await api.login({ email, password });
    this.setUser(user);
  }

  async signup(email: string, password: string, name: string): Promise<void> {
    const { user } = await api.signup({ email, password, name });
    this.setUser(user);
  }

  async logout(): Promise<void> {
    try {
      await api.logout();
    } finally {
      this.setUser(null);
    }
  }
}

export const session = new Session();
