import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin, type ResolvedConfig } from 'vite';
import { manifestVersion, precacheEntries, type BuiltFile } from './precache.ts';

const hash = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex').slice(0, 20);

function publicFiles(dir: string, prefix = ''): { fileName: string; abs: string }[] {
  if (!dir || !fs.existsSync(dir)) return [];
  const out: { fileName: string; abs: string }[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...publicFiles(abs, `${prefix}${e.name}/`));
    else if (e.isFile()) out.push({ fileName: `${prefix}${e.name}`, abs });
  }
  return out;
}

/**
 * Builds the service worker (`src`, TypeScript) into `<outDir>/sw.js` after the
 * app, with this build's precache list (every emitted file and public/ file,
 * except source maps) injected. Production builds only: `vite dev` neither
 * builds nor registers a worker.
 */
export function serviceWorker(opts: { src: string; fileName?: string }): Plugin {
  const fileName = opts.fileName ?? 'sw.js';
  let config: ResolvedConfig;
  let files: BuiltFile[] = [];
  return {
    name: 'concord:service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved(resolved) {
      config = resolved;
    },
    writeBundle(_options, bundle) {
      files = Object.values(bundle).map((item) => ({
        fileName: item.fileName,
        hash: hash(item.type === 'chunk' ? item.code : item.source),
        // Vite names what it emits to assetsDir with a content hash; index.html is not
        hashedName: item.fileName.startsWith(`${config.build.assetsDir}/`),
      }));
      if (config.build.copyPublicDir !== false && config.publicDir) {
        for (const f of publicFiles(config.publicDir)) files.push({ fileName: f.fileName, hash: hash(fs.readFileSync(f.abs)), hashedName: false });
      }
    },
    async closeBundle() {
      if (config.build.ssr || !files.length) return;
      const entries = precacheEntries(files, { base: config.base, swFileName: fileName });
      const version = manifestVersion(entries);
      await build({
        configFile: false,
        root: config.root,
        logLevel: 'warn',
        mode: 'production',
        publicDir: false,
        define: {
          __CONCORD_PRECACHE__: JSON.stringify(entries),
          __CONCORD_BUILD__: JSON.stringify(version),
          __CONCORD_BASE__: JSON.stringify(config.base.endsWith('/') ? config.base : `${config.base}/`),
          // Workbox logs only outside production
          'process.env.NODE_ENV': JSON.stringify('production'),
        },
        build: {
          outDir: config.build.outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          sourcemap: false,
          minify: true,
          target: 'es2020',
          lib: { entry: path.resolve(config.root, opts.src), formats: ['iife'], name: 'concordServiceWorker', fileName: () => fileName },
        },
      });
      config.logger.info(`service worker: ${fileName} precaches ${entries.length} files (build ${version})`);
    },
  };
}
