#!/usr/bin/env node
/**
 * `npm run bench:install`: installs what the sync benchmark (bench/) needs beyond
 * the app — Hocuspocus, node-sqlite3, the y-websocket 2 reference server — into the
 * root node_modules, without saving them to package.json or package-lock.json, so a
 * plain `npm install` never downloads or compiles them. One node_modules keeps one
 * copy of Yjs for the benchmark and @concord/shared. A later `npm install` or
 * `npm ci` removes them again; run this once more before `npm run bench`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench/package.json'), 'utf8'));
const specs = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })
  .filter(([name]) => !name.startsWith('@concord/'))
  .map(([name, range]) => `${name}@${range}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', ...specs], { cwd: ROOT, stdio: 'inherit' });
