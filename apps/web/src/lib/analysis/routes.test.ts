import { describe, expect, it } from 'vitest';
import { parsePath, pathOf, type Route } from '../routes.ts';

describe('routes of the agreement, analysis and reconciliation views', () => {
  it('parse and print back', () => {
    const cases: [string, string, Route][] = [
      ['/projects/p1/agreement', '', { name: 'agreement', pid: 'p1' }],
      ['/projects/p1/analysis', '', { name: 'analysis', pid: 'p1' }],
      ['/projects/p1/search', '', { name: 'search', pid: 'p1' }],
      ['/projects/p1/transcripts/t1/reconcile', '?a=u1&b=u2', { name: 'reconcile', pid: 'p1', tid: 't1', a: 'u1', b: 'u2' }],
      ['/projects/p1/transcripts/t1/reconcile', '', { name: 'reconcile', pid: 'p1', tid: 't1', a: null, b: null }],
      ['/invite/abc123', '', { name: 'invite', token: 'abc123' }],
      ['/admin', '', { name: 'admin' }],
    ];
    for (const [path, search, route] of cases) {
      expect(parsePath(path, search)).toEqual(route);
      expect(pathOf(route)).toBe(path + search);
    }
  });

  it('leave the coding view alone', () => {
    expect(parsePath('/projects/p1/transcripts/t1', '?at=3-9')).toEqual({ name: 'transcript', pid: 'p1', tid: 't1' });
    expect(parsePath('/projects/p1/other').name).toBe('not-found');
  });
});
