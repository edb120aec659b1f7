import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { newId, ROLES, type Role } from '@concord/shared';
import { AuthService } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/passwords.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { loadConfig } from '../env.ts';
import type { AppDeps } from '../http/context.ts';
import { ImportPool } from '../import/import-pool.ts';
import { makeLogger } from '../server.ts';
import { createStorage } from '../storage/create.ts';
import { RoomManager } from '../sync/room-manager.ts';
import { importFiles } from '../transcripts/import.service.ts';
import { cliCommands, UsageError, type CliCommand } from './commands.ts';

const USAGE = `Concord admin CLI  (npm run concord -- <command>)

  user add <email> <name> [--password <pw>]     create an account (prints a password if none is given)
  user password <email> [--password <pw>]        set a new password
  token create <email> [--name <name>]           create a personal access token for scripts
  project create <name> --owner <email>          create a project
  project list [--user <email>]                  list projects
  member add <projectId> <email> <role>          add a member (owner, coder, commenter, viewer)
  import --project <id> [--user <email>] <files…> import transcripts (.txt .md .vtt .srt .docx)
${cliCommands.map((c) => `  ${c.usage}`).join('\n')}

Data: CONCORD_DATA (default ./data) or DATABASE_URL, as for the server.`;

export interface CliContext {
  deps: AppDeps;
  out: (line: string) => void;
  userByEmail: (email: string) => Promise<{ id: string; name: string }>;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: false,
    options: {
      password: { type: 'string' }, name: { type: 'string' }, owner: { type: 'string' }, project: { type: 'string' },
      user: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, scope: { type: 'string' }, what: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub, ...rest] = positionals;
  if (!cmd || values.help) {
    console.log(USAGE);
    return cmd ? 0 : 1;
  }
  const cfg = loadConfig(process.env, { log: 'silent' });
  if (!cfg.databaseUrl) fs.mkdirSync(cfg.dataDir, { recursive: true });
  const storage = await createStorage(cfg);
  const log = makeLogger(cfg);
  const rooms = new RoomManager(storage, { log });
  const imports = new ImportPool({ threads: cfg.importThreads }, log);
  const deps: AppDeps = {
    config: cfg, storage, rooms, log, imports, auth: new AuthService(storage, cfg.sessionDays), loginLimiter: { email: new RateLimiter(1, 1), ip: new RateLimiter(1, 1) },
  };
  const ctx: CliContext = {
    deps,
    out: (l) => console.log(l),
    userByEmail: async (email) => {
      const u = await storage.getUserByEmail(email.toLowerCase());
      if (!u) throw new CliError(`No account for ${email}. Create one with: npm run concord -- user add ${email} "Name"`);
      return u;
    },
  };
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  try {
    switch (`${cmd} ${sub ?? ''}`.trim()) {
      case 'user add': {
        const [email, ...nameParts] = rest;
        if (!email || nameParts.length === 0) throw new CliError('usage: user add <email> <name> [--password <pw>]');
        const password = str(values.password) ?? newId(14);
        const user = await deps.auth.signup(email.toLowerCase(), password, nameParts.join(' '));
        if (!user) throw new CliError(`An account for ${email} already exists.`);
        ctx.out(`Created ${user.name} <${user.email}> (id ${user.id})`);
        if (!values.password) ctx.out(`Password: ${password}`);
        break;
      }
      case 'user password': {
        const [email] = rest;
        if (!email) throw new CliError('usage: user password <email> [--password <pw>]');
        const user = await ctx.userByEmail(email);
        const password = str(values.password) ?? newId(14);
        await setPassword(deps, user.id, password);
        ctx.out(`Password of ${email} changed; their sessions were signed out.`);
        if (!values.password) ctx.out(`Password: ${password}`);
        break;
      }
      case 'token create': {
        const [email] = rest;
        if (!email) throw new CliError('usage: token create <email> [--name <name>]');
        const user = await ctx.userByEmail(email);
        const t = await deps.auth.createAccessToken(user.id, str(values.name) ?? 'cli');
        ctx.out(t.token);
        break;
      }
      case 'project create': {
        const name = rest.join(' ').trim();
        const owner = str(values.owner);
        if (!name || !owner) throw new CliError('usage: project create <name> --owner <email>');
        const user = await ctx.userByEmail(owner);
        const id = newId(12);
        await storage.createProject({ id, name, createdAt: Date.now() }, user.id);
        ctx.out(id);
        break;
      }
      case 'project list': {
        const email = str(values.user);
        if (!email) throw new CliError('usage: project list --user <email>');
        const user = await ctx.userByEmail(email);
        for (const p of await storage.listProjects(user.id)) ctx.out(`${p.id}\t${p.role}\t${p.name}`);
        break;
      }
      case 'member add': {
        const [pid, email, role] = rest;
        if (!pid || !email || !role || !ROLES.includes(role as Role)) throw new CliError(`usage: member add <projectId> <email> <${ROLES.join('|')}>`);
        if (!(await storage.getProject(pid))) throw new CliError(`No project ${pid}.`);
        const user = await ctx.userByEmail(email);
        await storage.setMember(pid, user.id, role as Role);
        ctx.out(`${email} is now ${role} of ${pid}`);
        break;
      }
      default: {
        if (cmd === 'import') {
          await runImport(ctx, [sub, ...rest].filter((x): x is string => !!x), str(values.project), str(values.user));
          break;
        }
        const c: CliCommand | undefined = cliCommands.find((x) => x.name === cmd);
        if (!c) throw new CliError(`Unknown command "${cmd}".\n\n${USAGE}`);
        await c.run(ctx, [sub, ...rest].filter((x): x is string => !!x), values);
      }
    }
    return 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof UsageError || (err instanceof Error && 'status' in err && 'code' in err)) {
      console.error(err.message);
      return 2;
    }
    throw err;
  } finally {
    await rooms.closeAll(1001, 'cli done');
    await imports.close();
    await storage.close();
  }
}

async function runImport(ctx: CliContext, files: string[], projectId: string | undefined, email: string | undefined): Promise<void> {
  if (!projectId || files.length === 0) throw new CliError('usage: import --project <id> [--user <email>] <files…>');
  const { storage } = ctx.deps;
  if (!(await storage.getProject(projectId))) throw new CliError(`No project ${projectId}.`);
  const members = await storage.listMembers(projectId);
  const importer = email ? await ctx.userByEmail(email) : members.find((m) => m.role === 'owner');
  const userId = 'userId' in (importer ?? {}) ? (importer as { userId: string }).userId : (importer as { id: string } | undefined)?.id;
  if (!userId) throw new CliError('The project has no owner to import as; pass --user <email>.');
  const inputs: { name: string; bytes: Uint8Array }[] = [];
  const unreadable: string[] = [];
  for (const f of files) {
    try {
      inputs.push({ name: path.basename(f), bytes: fs.readFileSync(f) });
    } catch (err) {
      unreadable.push(`✗ ${f}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  for (const line of unreadable) ctx.out(line);
  const results = await importFiles(ctx.deps, projectId, userId, inputs, (done, total, r) => {
    ctx.out(r.ok
      ? `[${done}/${total}] ✓ ${r.transcript.name}: ${r.transcript.turns} turns, ${r.transcript.speakers.length} speakers, ${r.transcript.codings} codings`
      : `[${done}/${total}] ✗ ${r.error.file}: ${r.error.message}`);
  });
  const ok = results.filter((r) => r.ok).length;
  ctx.out(`Imported ${ok} of ${files.length} files.`);
  if (ok < files.length) process.exitCode = 1;
}

async function setPassword(deps: AppDeps, userId: string, password: string): Promise<void> {
  const user = await deps.storage.getUser(userId);
  if (!user) throw new CliError('unknown user');
  const hash = await hashPassword(password);
  await deps.storage.setPasswordHash(userId, hash);
  await deps.storage.deleteUserSessions(userId);
}

export class CliError extends Error {}

main(process.argv.slice(2)).then((code) => { process.exitCode = process.exitCode ?? code; }, (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
