import { describe, expect, it } from 'vitest';
import { manifestVersion, precacheEntries, type BuiltFile } from '../../sw/precache.ts';

const OPTS = { base: '/', swFileName: 'sw.js' };
const f = (fileName: string, hash: string, hashedName = fileName.startsWith('assets/')): BuiltFile => ({ fileName, hash, hashedName });

describe('precache manifest of a build', () => {
  it('lists the app shell: hashed assets without a revision, the rest with their content hash', () => {
    const entries = precacheEntries([
      f('index.html', 'h-index'),
      f('assets/index-BvEr7tYz.js', 'h1'),
      f('assets/index-CYbHVUn9.css', 'h2'),
      f('assets/charts-BPQFhfWB.js', 'h3'),
      f('robots.txt', 'h4'),
    ], OPTS);
    expect(entries).toEqual([
      { url: '/assets/charts-BPQFhfWB.js', revision: null },
      { url: '/assets/index-BvEr7tYz.js', revision: null },
      { url: '/assets/index-CYbHVUn9.css', revision: null },
      { url: '/index.html', revision: 'h-index' },
      { url: '/robots.txt', revision: 'h4' },
    ]);
  });

  it('never lists source maps, the worker itself, dotfiles or anything under api/ and sync/', () => {
    const entries = precacheEntries([
      f('index.html', 'a'),
      f('assets/index-BvEr7tYz.js.map', 'b'),
      f('sw.js', 'c', false),
      f('.DS_Store', 'd', false),
      f('api/projects.json', 'e', false),
      f('sync/x', 'f', false),
      f('apiary.png', 'g', false),
    ], OPTS);
    expect(entries.map((e) => e.url)).toEqual(['/apiary.png', '/index.html']);
  });

  it('follows the base path and normalises separators', () => {
    expect(precacheEntries([f('assets\\a-12345678.js', 'x', true)], { base: '/concord', swFileName: 'sw.js' })).toEqual([
      { url: '/concord/assets/a-12345678.js', revision: null },
    ]);
  });

  it('gives a new build a new version when any file changes, and the same one otherwise', () => {
    const one = precacheEntries([f('index.html', 'a'), f('assets/index-11111111.js', 'x')], OPTS);
    const same = precacheEntries([f('assets/index-11111111.js', 'y'), f('index.html', 'a')], OPTS);
    const html = precacheEntries([f('index.html', 'b'), f('assets/index-11111111.js', 'x')], OPTS);
    const js = precacheEntries([f('index.html', 'a'), f('assets/index-22222222.js', 'x')], OPTS);
    expect(manifestVersion(one)).toBe(manifestVersion(same));
    expect(manifestVersion(html)).not.toBe(manifestVersion(one));
    expect(manifestVersion(js)).not.toBe(manifestVersion(one));
    expect(manifestVersion(one)).toMatch(/^[0-9a-f]{8}$/);
  });
});
