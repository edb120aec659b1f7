import fs from 'node:fs';
import path from 'node:path';
import { newId } from '@concord/shared';
import { REPO_ROOT } from '../env.ts';
import type { AppDeps } from '../http/context.ts';
import { importFiles } from './import.service.ts';

export const DEMO_EMAIL = 'demo@concord.local';

/**
 * On first start of an empty data store: a demo project with the five seed
 * transcripts (003's inline coding imported as codings) and a demo login.
 */
export async function ensureDemoProject(deps: AppDeps, seedsDir = path.join(REPO_ROOT, 'seeds')): Promise<
  { projectId: string; projectName: string; transcripts: number; email: string; password: string } | null
> {
  if (await deps.storage.getUserByEmail(DEMO_EMAIL)) return null;
  const password = `demo-${newId(8)}`;
  const user = await deps.auth.signup(DEMO_EMAIL, password, 'Demo Researcher');
  if (!user) return null;
  const projectId = newId(12);
  const projectName = 'Quality issues in ML systems (demo)';
  await deps.storage.createProject({ id: projectId, name: projectName, createdAt: Date.now() }, user.id);
  const files = fs.existsSync(seedsDir)
    ? fs.readdirSync(seedsDir).filter((f) => /\.(txt|md|vtt|srt|docx)$/i.test(f)).sort()
    : [];
  const results = await importFiles(deps, projectId, user.id, files.map((f) => ({ name: f, bytes: fs.readFileSync(path.join(seedsDir, f)) })));
  for (const r of results) if (!r.ok) deps.log('warn', 'demo import failed', { ...r.error });
  return { projectId, projectName, transcripts: results.filter((r) => r.ok).length, email: DEMO_EMAIL, password };
}
