import { Hono } from 'hono';
import { z } from 'zod';
import { parseJson, requireUser, type AppDeps, type Env } from './context.ts';

const ReadBody = z.object({ ids: z.union([z.array(z.string()).max(1000), z.literal('all')]) });

export function inboxRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();

  app.get('/inbox', async (c) => {
    const p = requireUser(c);
    const items = await deps.storage.listInbox(p.user.id, Math.min(Number(c.req.query('limit') ?? 100) || 100, 500));
    const projects = new Map<string, string>();
    const transcripts = new Map<string, string>();
    const users = new Map<string, string>();
    for (const i of items) {
      if (!projects.has(i.projectId)) projects.set(i.projectId, (await deps.storage.getProject(i.projectId))?.name ?? '');
      const tk = `${i.projectId}/${i.transcriptId}`;
      if (!transcripts.has(tk)) transcripts.set(tk, (await deps.storage.getTranscript(i.projectId, i.transcriptId))?.name ?? '');
      if (!users.has(i.actorId)) users.set(i.actorId, (await deps.storage.getUser(i.actorId))?.name ?? 'someone');
    }
    return c.json({
      unread: await deps.storage.countUnread(p.user.id),
      items: items.map((i) => ({
        ...i, projectName: projects.get(i.projectId), transcriptName: transcripts.get(`${i.projectId}/${i.transcriptId}`),
        actorName: users.get(i.actorId),
      })),
    });
  });

  app.get('/inbox/unread', async (c) => {
    const p = requireUser(c);
    return c.json({ unread: await deps.storage.countUnread(p.user.id) });
  });

  app.post('/inbox/read', async (c) => {
    const p = requireUser(c);
    const body = await parseJson(c, ReadBody);
    await deps.storage.markInboxRead(p.user.id, body.ids, Date.now());
    return c.json({ unread: await deps.storage.countUnread(p.user.id) });
  });

  return app;
}
