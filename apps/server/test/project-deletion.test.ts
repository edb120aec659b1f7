import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import * as Y from 'yjs';
import { commentsRoom, layerRoom, transcriptRoom } from '@concord/shared';
import { makeWav } from '../../../packages/shared/src/media/fixtures/wav.ts';
import { connect, destroyProviders, makeCodes, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor } from './helpers.ts';
import { createPgSchema, type PgSchema } from './cluster.ts';
import type { ConcordServer } from '../src/server.ts';

/** Every cell of every table, as (table, value) pairs. */
type Cells = { table: string; value: unknown }[];

async function sqliteCells(dataDir: string): Promise<Cells> {
  const db = new Database(path.join(dataDir, 'concord.sqlite'), { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    return tables.flatMap((t) => (db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).flatMap((row) => Object.values(row).map((value) => ({ table: t, value }))));
  } finally {
    db.close();
  }
}

async function pgCells(url: string): Promise<Cells> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).rows.map((r) => r.t);
    const out: Cells = [];
    for (const t of tables) for (const row of (await c.query(`SELECT * FROM "${t}"`)).rows as Record<string, unknown>[]) for (const value of Object.values(row)) out.push({ table: t, value });
    return out;
  } finally {
    await c.end();
  }
}

/** The tables holding a cell that names `id`: as text, or inside stored bytes (document history and snapshots). */
function tablesMentioning(cells: Cells, id: string): string[] {
  const needle = Buffer.from(id, 'utf8');
  const hit = (v: unknown) => (typeof v === 'string' ? v.includes(id) : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).includes(needle) : false);
  return [...new Set(cells.filter((c) => hit(c.value)).map((c) => c.table))].sort();
}

const backends: { name: string; start: () => Promise<{ server: ConcordServer; cells: () => Promise<Cells>; done: () => Promise<void> }> }[] = [
  {
    name: 'SQLite',
    start: async () => {
      const server = await startTestServer();
      return { server, cells: () => sqliteCells(server.dataDir), done: () => server.close() };
    },
  },
  {
    name: 'PostgreSQL',
    start: async () => {
      const schema: PgSchema = await createPgSchema();
      const server = await startTestServer({ databaseUrl: schema.url });
      return { server, cells: () => pgCells(schema.url), done: async () => { await server.close(); await schema.drop(); } };
    },
  },
];

afterEach(() => destroyProviders());

describe.each(backends)('deleting a project on $name', ({ start }) => {
  it('leaves no row and no stored byte of it, closes its sockets, and keeps other projects', async () => {
    const { server, cells, done } = await start();
    try {
      const owner = await makeUser(server.url, 'Dora');
      const coder = await makeUser(server.url, 'Cas');
      const outsider = await makeUser(server.url, 'Otto');
      const pid = await makeProject(owner, 'To be erased');
      const keep = await makeProject(owner, 'Kept');
      for (const p of [pid, keep]) {
        await owner.client.req('POST', `/api/projects/${p}/members`, { email: coder.email, role: 'coder' });
        await owner.client.req('POST', `/api/projects/${p}/invitations`, { email: 'new@example.org', role: 'viewer' });
        // The project id in the text itself, so stored document bytes name it.
        const tid = await makeTranscript(owner, p, `Interviewer: Tell me about ${p}.\n\nP1: It was fine.\n`);
        await makeCodes(server, p, ['c1']);
        // A recording (files under CONCORD_MEDIA_DIR) and the search index (its rows) belong to the project too.
        const media = await fetch(`${server.url}/api/projects/${p}/transcripts/${tid}/media?name=interview.wav`, {
          method: 'PUT', body: makeWav(1), headers: { authorization: `Bearer ${owner.token}` },
        });
        expect(media.status).toBe(201);
        for (let tries = 0; ; tries++) {
          const r = await owner.client.req('GET', `/api/projects/${p}/search?q=fine`);
          if (r.status === 200 && !r.json.indexing && r.json.hits.length === 1) break;
          if (tries > 30) throw new Error(`the project was not indexed for search: ${JSON.stringify(r.json)}`);
          await new Promise((done) => setTimeout(done, 500));
        }
        await server.deps.rooms.withDoc(commentsRoom(p, tid), (doc) => doc.getMap('threads').set('t1', new Y.Map([['note', `about ${p}`]])));
        await server.deps.rooms.withDoc(layerRoom(p, tid, coder.id), (doc) => doc.getMap('codings').set('k', `layer of ${p}`));
        await server.deps.storage.addInboxItems([{
          id: `inbox-${p}`, userId: coder.id, kind: 'mention', projectId: p, transcriptId: tid, threadId: 't1', commentId: 'c', actorId: owner.id, excerpt: 'hi', createdAt: 1, readAt: null,
        }]);
      }
      const tid = (await owner.client.req('GET', `/api/projects/${pid}`)).json.transcripts[0].id as string;
      // A coder is in the transcript, typing, when the project goes.
      const live = connect(server.url, transcriptRoom(pid, tid), coder.token);
      await synced(live);
      let closeCode = 0;
      live.on('connection-close', (e: { code: number } | null) => { if (e && !closeCode) closeCode = e.code; });
      live.doc.getText('body').insert(0, `live ${pid} `);
      await waitFor(() => server.deps.rooms.rooms.get(transcriptRoom(pid, tid))?.doc.getText('body').toString().includes(`live ${pid}`) === true);

      const before = tablesMentioning(await cells(), pid);
      expect(before).toEqual(expect.arrayContaining(['inbox', 'members', 'project_invitations', 'projects', 'transcripts']));
      expect(before.some((t) => t === 'doc_updates' || t === 'doc_snapshots')).toBe(true);
      expect(before).toEqual(expect.arrayContaining(['search_docs', 'search_turns']));
      const mediaDir = (p: string) => path.join(server.deps.config.mediaDir, p);
      expect(fs.readdirSync(mediaDir(pid)).length).toBeGreaterThan(0);

      // Only owners (and administrators) may delete; non-members learn nothing.
      expect((await coder.client.req('DELETE', `/api/projects/${pid}`)).status).toBe(403);
      expect((await outsider.client.req('DELETE', `/api/projects/${pid}`)).status).toBe(404);
      expect((await owner.client.req('DELETE', `/api/projects/${pid}`)).status).toBe(204);

      await waitFor(() => closeCode !== 0, 10_000, 'the socket to close');
      expect(closeCode).toBe(4404);
      expect([...server.deps.rooms.rooms.keys()].filter((r) => r.startsWith(`${pid}/`))).toEqual([]);
      expect(tablesMentioning(await cells(), pid)).toEqual([]);
      expect(fs.existsSync(mediaDir(pid))).toBe(false);
      expect(fs.readdirSync(mediaDir(keep)).length).toBeGreaterThan(0);
      // The other project is whole.
      const kept = tablesMentioning(await cells(), keep);
      expect(kept).toEqual(expect.arrayContaining(['inbox', 'members', 'project_invitations', 'projects', 'transcripts']));
      expect(kept.some((t) => t === 'doc_updates' || t === 'doc_snapshots')).toBe(true);
      expect((await owner.client.req('GET', `/api/projects/${keep}`)).json.transcripts).toHaveLength(1);
      expect((await owner.client.req('GET', `/api/projects/${pid}`)).status).toBe(404);
      expect((await owner.client.req('DELETE', `/api/projects/${pid}`)).status).toBe(404);
    } finally {
      destroyProviders();
      await done();
    }
  });
});
