import fs from 'node:fs';
import path from 'node:path';
import type { CliContext } from './main.ts';
import { exportProject, importRefi, type ExportFormat } from '../exchange/exchange.service.ts';
import { adminCommands } from './admin-commands.ts';

/** Commands beyond accounts and projects. */
export interface CliCommand {
  name: string;
  usage: string;
  run(ctx: CliContext, args: string[], options: Record<string, unknown>): Promise<void>;
}

class UsageError extends Error {}

export const cliCommands: CliCommand[] = [
  {
    name: 'export',
    usage: 'export --project <id> --format qdpx|qdc|csv|md [--what codebook] [--scope record|coders] [--out <file>]   export a project (the record, or every coder\'s codings)',
    async run(ctx, _args, o) {
      const pid = typeof o.project === 'string' ? o.project : '';
      const format = (typeof o.format === 'string' ? o.format : 'qdpx') as ExportFormat;
      if (!pid || !['qdpx', 'qdc', 'csv', 'md'].includes(format)) throw new UsageError('usage: export --project <id> --format qdpx|qdc|csv|md [--scope record|coders] [--out <file>]');
      const scope = o.scope === undefined ? 'record' : o.scope;
      if (scope !== 'record' && scope !== 'coders') throw new UsageError('--scope is record (the project\'s coding record, the default) or coders (every coder\'s own codings)');
      if (!(await ctx.deps.storage.getProject(pid))) throw new UsageError(`No project ${pid}.`);
      const file = await exportProject(ctx.deps, pid, format, o.what === 'codebook' ? 'codebook' : 'segments', scope);
      const out = typeof o.out === 'string' ? o.out : file.fileName;
      fs.writeFileSync(out, file.body);
      ctx.out(`Wrote ${path.resolve(out)} (${fs.statSync(out).size} bytes)`);
    },
  },
  {
    name: 'import-qda',
    usage: 'import-qda --project <id> [--user <email>] <file.qdpx|file.qdc>   import a REFI-QDA project or codebook',
    async run(ctx, args, o) {
      const pid = typeof o.project === 'string' ? o.project : '';
      const file = args[0];
      if (!pid || !file) throw new UsageError('usage: import-qda --project <id> <file.qdpx|file.qdc>');
      if (!(await ctx.deps.storage.getProject(pid))) throw new UsageError(`No project ${pid}.`);
      const owner = typeof o.user === 'string'
        ? (await ctx.userByEmail(o.user)).id
        : (await ctx.deps.storage.listMembers(pid)).find((m) => m.role === 'owner')?.userId;
      if (!owner) throw new UsageError('Pass --user <email>.');
      const s = await importRefi(ctx.deps, pid, owner, fs.readFileSync(file), path.basename(file));
      ctx.out(`Imported ${path.basename(file)}: ${s.codesCreated} new codes (${s.codes} in file), ${s.transcripts.length} transcripts, ${s.transcripts.reduce((n, t) => n + t.codings, 0)} codings, ${s.notes} notes.`);
      for (const w of s.warnings) ctx.out(`  ! ${w}`);
    },
  },
  ...adminCommands,
];

export { UsageError };
