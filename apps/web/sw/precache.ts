/**
 * The precache manifest of one build: every file the app shell needs, each with
 * a revision so that a new build replaces exactly the files that changed.
 * Pure (no Node, no DOM): used by the Vite plugin and by its unit test.
 */
export interface PrecacheEntry {
  url: string;
  /** null for files whose name already carries a content hash (Vite's assets). */
  revision: string | null;
}

export interface BuiltFile {
  /** Path inside the output directory, with forward slashes ("assets/index-abc.js"). */
  fileName: string;
  /** Content hash (any stable digest) of the file. */
  hash: string;
  /** The name itself carries a content hash (Vite's emitted assets and chunks). */
  hashedName: boolean;
}

export interface PrecacheOptions {
  /** Vite's `base` ("/"). */
  base: string;
  /** The worker's own file, never precached. */
  swFileName: string;
}

/** Paths the server answers dynamically, with the user's data: never precached. */
export const NEVER_CACHED = /^(api|sync)(\/|$)/;

const SKIP = [/\.map$/, /(^|\/)\.[^/]*$/, /\.(br|gz)$/];

/** Sorted, deduplicated precache entries for the files of a build. */
export function precacheEntries(files: readonly BuiltFile[], opts: PrecacheOptions): PrecacheEntry[] {
  const base = opts.base.endsWith('/') ? opts.base : `${opts.base}/`;
  const out = new Map<string, PrecacheEntry>();
  for (const f of files) {
    const name = f.fileName.replace(/\\/g, '/').replace(/^\/+/, '');
    if (!name || name === opts.swFileName || NEVER_CACHED.test(name) || SKIP.some((r) => r.test(name))) continue;
    out.set(name, { url: base + name, revision: f.hashedName ? null : f.hash });
  }
  return [...out.values()].sort((a, b) => a.url.localeCompare(b.url));
}

/** A short id of a manifest, so the worker's bytes (and so its version) change with the build. */
export function manifestVersion(entries: readonly PrecacheEntry[]): string {
  // FNV-1a over the entries: small, stable, no crypto needed
  let h = 0x811c9dc5;
  const s = entries.map((e) => `${e.url} ${e.revision ?? ''}`).join('\n');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
