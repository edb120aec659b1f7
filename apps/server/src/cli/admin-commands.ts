import type { CliCommand } from './commands.ts';
import { badRequest } from '../errors.ts';

/** `concord admin grant|revoke|list`: instance administrators. */
export const adminCommands: CliCommand[] = [
  {
    name: 'admin',
    usage: 'admin grant <email> | admin revoke <email> | admin list   instance administrators (users, projects, deletion in the web app\'s admin page and /api/admin)',
    async run(ctx, args) {
      const [sub, email] = args;
      const { storage } = ctx.deps;
      if (sub === 'list') {
        const admins = (await storage.listUsers()).filter((u) => u.admin);
        if (admins.length === 0) ctx.out('No administrators yet: the first account to sign up becomes one, or run: admin grant <email>');
        for (const u of admins) ctx.out(`${u.email}\t${u.name}`);
        return;
      }
      if ((sub !== 'grant' && sub !== 'revoke') || !email) throw badRequest('usage: admin grant <email> | admin revoke <email> | admin list');
      const user = await ctx.userByEmail(email);
      await storage.setUserAdmin(user.id, sub === 'grant');
      ctx.out(sub === 'grant' ? `${email} is now an administrator.` : `${email} is no longer an administrator.`);
    },
  },
];
