import { describe, expect, it } from 'vitest';
import { parsePath, pathOf } from '../routes.ts';
import { threadHref } from './api.ts';

describe('inbox routes and thread links', () => {
  it('has an /inbox page', () => {
    expect(parsePath('/inbox')).toEqual({ name: 'inbox' });
    expect(parsePath('/inbox/')).toEqual({ name: 'inbox' });
    expect(pathOf({ name: 'inbox' })).toBe('/inbox');
  });
  it('links to a thread in its transcript', () => {
    const href = threadHref({ projectId: 'p 1', transcriptId: 't/2', threadId: 'x&y' });
    expect(href).toBe('/projects/p%201/transcripts/t%2F2?thread=x%26y');
    const url = new URL(href, 'http://localhost');
    expect(parsePath(url.pathname, url.search)).toEqual({ name: 'transcript', pid: 'p 1', tid: 't/2' });
    expect(url.searchParams.get('thread')).toBe('x&y');
  });
});
