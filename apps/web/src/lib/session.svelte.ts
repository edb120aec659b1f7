import type { User } from '@concord/shared';
import { api, ApiError } from './api.ts';

/** The signed-in user, loaded from `GET /api/me` (401 when signed out). */
class Session {
  user = $state<User | null>(null);
  /** 'loading' until the first /api/me answered. */
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      const { user } = await api.me();
      this.user = user;
      this.status = 'ready';
    } catch (e) {
      this.user = null;
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) this.status = 'ready';
      else {
        this.status = 'error';
        this.error = e instanceof Error ? e.message : String(e);
      }
    }
  }

  async login(email: string, password: string): Promise<void> {
    const { user } = await api.login({ email, password });
    this.user = user;
  }

  async signup(email: string, password: string, name: string): Promise<void> {
    const { user } = await api.signup({ email, password, name });
    this.user = user;
  }

  async logout(): Promise<void> {
    try {
      await api.logout();
    } finally {
      this.user = null;
    }
  }
}

export const session = new Session();
