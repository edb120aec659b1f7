#!/usr/bin/env node
/**
 * Builds what changed, for `npm start` and `npm run build`:
 *   - the server: apps/server/src bundled with @concord/shared into plain JavaScript
 *     (esbuild) in apps/server/dist/ (main.js, cli.js, import-worker.js); every
 *     npm package stays an import of node_modules;
 *   - the web app: `vite build` into apps/web/dist/.
 * Each output remembers a hash of its inputs (sources, package.json files, the
 * lock file) in `.build-hash`; a target whose inputs hash the same is not rebuilt.
 *
 *   node scripts/build.mjs [server] [web] [--force] [--quiet]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const force = args.includes('--force');
const quiet = args.includes('--quiet');
const named = args.filter((a) => !a.startsWith('--'));
const wanted = named.length > 0 ? named : ['server', 'web'];
const say = (line) => { if (!quiet) console.log(line); };

const SKIP_DIRS = new Set(['node_modules', 'dist', 'e2e', 'artifacts', '.svelte-kit']);
const isTest = (f) => /\.test\.ts$/.test(f);

/** Every file under `dir` (relative to ROOT), sorted, skipping build output and tests. */
function files(dir) {
  const out = [];
  const walk = (d) => {
    let entries;
    try { entries = fs.readdirSync(path.join(ROOT, d), { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const rel = path.join(d, e.name);
      if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(rel); } else if (!isTest(e.name)) out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

const COMMON = ['package.json', 'package-lock.json', 'packages/shared/package.json', ...files('packages/shared/src')];

const TARGETS = {
  server: {
    out: 'apps/server/dist',
    inputs: () => [...COMMON, 'scripts/build.mjs', 'apps/server/package.json', ...files('apps/server/src')],
    build: buildServer,
  },
  web: {
    out: 'apps/web/dist',
    inputs: () => [...COMMON, ...files('apps/web').filter((f) => !f.startsWith(path.join('apps/web', 'bench')))],
    build: () => execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', ...(quiet ? ['--logLevel', 'warn'] : [])], {
      cwd: path.join(ROOT, 'apps/web'), stdio: 'inherit',
    }),
  },
};

function hashOf(list) {
  const h = createHash('sha256');
  for (const f of list) {
    h.update(f);
    h.update('\0');
    try { h.update(fs.readFileSync(path.join(ROOT, f))); } catch { h.update('(missing)'); }
    h.update('\0');
  }
  return h.digest('hex');
}

async function buildServer(outDir) {
  const esbuild = await import('esbuild');
  fs.rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: {
      main: 'apps/server/src/main.ts',
      cli: 'apps/server/src/cli/main.ts',
      // Beside main.js and cli.js: the import pool looks for it next to itself.
      'import-worker': 'apps/server/src/import/import-worker.ts',
    },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true,
    logLevel: quiet ? 'warning' : 'info',
    plugins: [{
      // Our own workspace packages are TypeScript sources: bundle them. Every other
      // package is imported from node_modules at run time (native modules, one Yjs).
      name: 'node-modules-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@concord/') ? undefined : { path: a.path, external: true }));
      },
    }],
  });
}

let failed = false;
for (const name of wanted) {
  const target = TARGETS[name];
  if (!target) { console.error(`unknown target ${name} (server, web)`); process.exit(2); }
  const outDir = path.join(ROOT, target.out);
  const stamp = path.join(outDir, '.build-hash');
  const hash = hashOf(target.inputs());
  const previous = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : null;
  if (!force && previous === hash) { say(`${name}: up to date`); continue; }
  say(`${name}: building…`);
  const t0 = Date.now();
  try {
    await target.build(outDir);
  } catch (err) {
    console.error(`${name}: build failed${err instanceof Error && err.message ? `: ${err.message}` : ''}`);
    failed = true;
    continue;
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(stamp, `${hash}\n`);
  say(`${name}: built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
process.exit(failed ? 1 : 0);
