import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CloseCode, newId, ROLES, type Role } from '@concord/shared';
import { AuthService } from '../auth/auth.service.ts';
import { checkPasswordStrength } from '../auth/password-strength.ts';
import { loadConfig, type Config } from '../env.ts';
import { addressResolver } from '../http/client-address.ts';
import { createAuthLimiters } from '../pubsub/create.ts';
import type { AppDeps } from '../http/context.ts';
import { ImportPool } from '../import/import-pool.ts';
import { dataFile, makeLogger } from '../server.ts';
import { BackupError, backupSqlite, restoreSqlite, type BackupSummary } from './backup.ts';
import { createStorage } from '../storage/create.ts';
import { RoomManager } from '../sync/room-manager.ts';
import { importFiles } from '../transcripts/import.service.ts';
import { cliCommands, UsageError, type CliCommand } from './commands.ts';

const USAGE = `Concord admin CLI  (npm run concord -- <command>)

  user add <email> <name> [--password <pw>]     create an account (prints a password if none is given)
  user password <email> [--password <pw>]        set a new password (ends the account's sessions, tokens and sockets)
  user disable <email> | user enable <email>     stop (or allow again) an account's sign-in; disabling ends its sessions, tokens and sockets
  user invite <email>                            allow this address to sign up when CONCORD_SIGNUP=invite
  token create <email> [--name <name>] [--days <n>] [--read-only] [--project <id>]
                                                 create a personal access token for scripts (expiring, reading only, one project)
  project create <name> --owner <email>          create a project
  project list [--user <email>]                  list projects
  member add <projectId> <email> <role>          add a member (owner, coder, commenter, viewer)
  import --project <id> [--user <email>] <files…> import transcripts (.txt .md .vtt .srt .docx)
  backup <file>                                  copy the SQLite database while the server runs (PostgreSQL: pg_dump, see README)
  restore <file>                                 replace the database with a backup (stop the server first; the current one is kept)
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
      user: { type: 'string' }, days: { type: 'string' }, 'read-only': { type: 'boolean' }, format: { type: 'string' }, out: { type: 'string' }, scope: { type: 'string' }, what: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub, ...rest] = positionals;
  if (!cmd || values.help) {
    console.log(USAGE);
    return cmd ? 0 : 1;
  }
  const cfg = loadConfig(process.env, { log: 'silent' });
  // Backup and restore work on the database file, before anything opens it.
  if (cmd === 'backup' || cmd === 'restore') return backupCommand(cfg, cmd, sub);
  if (!cfg.databaseUrl) fs.mkdirSync(cfg.dataDir, { recursive: true });
  const storage = await createStorage(cfg);
  const log = makeLogger(cfg);
  const rooms = new RoomManager(storage, { log });
  const imports = new ImportPool({ threads: cfg.importThreads }, log);
  const deps: AppDeps = {
    config: cfg, storage, rooms, log, imports, auth: new AuthService(storage, cfg.sessionDays),
    clientAddress: addressResolver(false), authLimits: await createAuthLimiters({ ...cfg, redisUrl: null }, log),
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
        if (values.password) {
          const strength = await checkPasswordStrength(password, cfg.passwordMinScore, [email, user.name]);
          if (!strength.ok) throw new CliError(strength.message);
        }
        await deps.auth.setPassword(user.id, password);
        await revokeUser(cfg, user.id, 'password reset');
        ctx.out(`Password of ${email} changed; their sessions, access tokens and open connections were ended.`);
        if (!values.password) ctx.out(`Password: ${password}`);
        break;
      }
      case 'user disable':
      case 'user enable': {
        const [email] = rest;
        if (!email) throw new CliError(`usage: user ${sub} <email>`);
        const user = await ctx.userByEmail(email);
        if (sub === 'enable') {
          await storage.setUserDisabled(user.id, null);
          ctx.out(`${email} may sign in again with their password (set a new one with: npm run concord -- user password ${email}).`);
          break;
        }
        await storage.setUserDisabled(user.id, Date.now());
        await deps.auth.endAllCredentials(user.id);
        await revokeUser(cfg, user.id, 'account disabled');
        ctx.out(`${email} is disabled; their sessions, access tokens and open connections were ended.`);
        break;
      }
      case 'user invite': {
        const [email] = rest;
        if (!email || !email.includes('@')) throw new CliError('usage: user invite <email>');
        await storage.addInvitation(email.trim().toLowerCase(), Date.now());
        ctx.out(`${email} may now sign up${cfg.signup === 'invite' ? '' : ' (invitations matter only with CONCORD_SIGNUP=invite)'}.`);
        break;
      }
      case 'token create': {
        const [email] = rest;
        if (!email) throw new CliError('usage: token create <email> [--name <name>]');
        const user = await ctx.userByEmail(email);
        const days = values.days === undefined ? null : Number(values.days);
        if (days !== null && !(Number.isInteger(days) && days > 0)) throw new CliError('--days takes a whole number of days, e.g. --days 90');
        const projectId = str(values.project) ?? null;
        if (projectId && !(await storage.getRole(projectId, user.id))) throw new CliError(`${email} is not in project ${projectId}.`);
        const t = await deps.auth.createAccessToken(user.id, str(values.name) ?? 'cli', {
          expiresAt: days ? Date.now() + days * 24 * 60 * 60 * 1000 : null, readOnly: values['read-only'] === true, projectId,
        });
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

async function backupCommand(cfg: Config, cmd: 'backup' | 'restore', file: string | undefined): Promise<number> {
  try {
    if (!file) throw new BackupError(`usage: ${cmd} <file>`);
    if (cfg.databaseUrl) {
      throw new BackupError(cmd === 'backup'
        ? 'With PostgreSQL, back up with pg_dump: pg_dump -Fc "$DATABASE_URL" > concord.dump (see README, "Backups").'
        : 'With PostgreSQL, restore with pg_restore: pg_restore --clean --if-exists -d "$DATABASE_URL" concord.dump (see README, "Backups").');
    }
    const db = dataFile(cfg);
    const kinds = (s: BackupSummary) => `${s.users} accounts, ${s.projects} projects, ${s.documents} documents, ${(s.bytes / 1e6).toFixed(1)} MB`;
    if (cmd === 'backup') {
      const s = await backupSqlite(db, file);
      console.log(`Backed up ${db} to ${s.file} (${kinds(s)}); the copy passed SQLite's integrity check.`);
    } else {
      const s = await restoreSqlite(db, file);
      console.log(`Restored ${file} into ${db} (${kinds(s)}).`);
      if (s.previous) console.log(`The database it replaced is kept as ${s.previous}.`);
    }
    return 0;
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    console.error(err.message);
    return 2;
  }
}

/**
 * Closes the account's open sockets on every running node (4401). Through Redis
 * when the servers use it: at once; either way each server re-checks its sockets'
 * sessions and tokens in storage every CONCORD_CREDENTIAL_CHECK_S, and those are gone.
 */
async function revokeUser(cfg: Config, userId: string, reason: string): Promise<void> {
  if (!cfg.redisUrl) return;
  const { RedisRevocationBus } = await import('../pubsub/revocations.ts');
  const bus = await RedisRevocationBus.connect(cfg.redisUrl, `cli-${cfg.nodeId}`, () => {}, makeLogger(cfg));
  await bus.publishNow({ userId, code: CloseCode.Unauthorized, reason });
  await bus.close();
}

export class CliError extends Error {}

main(process.argv.slice(2)).then((code) => { process.exitCode = process.exitCode ?? code; }, (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
