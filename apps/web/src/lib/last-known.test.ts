import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectDetail } from './api.ts';
import { forgetAll, isNetworkError, lastProject, lastProjects, lastUser, rememberProject, rememberProjects, rememberUser } from './last-known.ts';

/** A Storage in memory (the tests run in Node). */
class MemoryStorage implements Storage {
  #m = new Map<string, string>();
  get length(): number { return this.#m.size; }
  clear(): void { this.#m.clear(); }
  getItem(k: string): string | null { return this.#m.get(k) ?? null; }
  key(i: number): string | null { return [...this.#m.keys()][i] ?? null; }
  removeItem(k: string): void { this.#m.delete(k); }
  setItem(k: string, v: string): void { this.#m.set(k, String(v)); }
}

const USER = { id: 'u1', email: 'ada@example.org', name: 'Ada' };
const PROJECT: ProjectDetail = {
  id: 'p1', name: 'Study', role: 'coder',
  members: [{ userId: 'u1', email: 'ada@example.org', name: 'Ada', role: 'coder' }],
  transcripts: [{ id: 't1', name: 'Interview 1', turns: 12, codings: 3, mode: 'open' }],
};

describe('what the app last heard from the server', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
    Object.defineProperty(globalThis, 'localStorage', { value: storage, configurable: true });
  });
  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'localStorage');
  });

  it('remembers the user, their projects and a project per user', () => {
    expect(lastUser()).toBeNull();
    rememberUser({ ...USER, extra: 'not kept' } as typeof USER);
    expect(lastUser()).toEqual(USER);
    rememberProjects('u1', [{ id: 'p1', name: 'Study', role: 'coder' }]);
    expect(lastProjects('u1')).toEqual([{ id: 'p1', name: 'Study', role: 'coder' }]);
    expect(lastProjects('u2')).toBeNull();
    rememberProject('u1', PROJECT);
    expect(lastProject('u1', 'p1')).toEqual(PROJECT);
    expect(lastProject('u2', 'p1')).toBeNull();
    expect(lastProject('u1', 'p2')).toBeNull();
  });

  it('ignores damaged or foreign entries', () => {
    storage.setItem('concord:last-user', '{not json');
    expect(lastUser()).toBeNull();
    storage.setItem('concord:last-user', JSON.stringify({ id: 1, name: 'x' }));
    expect(lastUser()).toBeNull();
    storage.setItem('concord:last-project:u1:p1', JSON.stringify({ ...PROJECT, members: [{ userId: 'u1' }] }));
    expect(lastProject('u1', 'p1')).toBeNull();
  });

  it('forgets only its own keys', () => {
    rememberUser(USER);
    rememberProjects('u1', []);
    rememberProject('u1', PROJECT);
    storage.setItem('concord:recent:u1:p1', '["c1"]');
    forgetAll();
    expect(lastUser()).toBeNull();
    expect(lastProject('u1', 'p1')).toBeNull();
    expect(storage.getItem('concord:recent:u1:p1')).toBe('["c1"]');
    expect(storage.length).toBe(1);
  });

  it('works without storage at all', () => {
    Reflect.deleteProperty(globalThis, 'localStorage');
    rememberUser(USER);
    expect(lastUser()).toBeNull();
    forgetAll();
  });

  it('tells a network failure from a refusal', () => {
    expect(isNetworkError({ status: 0 })).toBe(true);
    expect(isNetworkError({ status: 401 })).toBe(false);
    expect(isNetworkError(new Error('x'))).toBe(false);
    expect(isNetworkError(null)).toBe(false);
  });
});
