import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { parseTextQuery } from '@concord/shared';
import type { Storage } from './types.ts';

/** The full-text search part of the storage contract (SQLite FTS5, PostgreSQL tsvector). */
export function searchContract(name: string, make: () => Promise<Storage>, cleanup?: (s: Storage) => Promise<void>): void {
  describe(`search index contract: ${name}`, () => {
    let s: Storage;
    let pid: string;
    beforeEach(async () => {
      s = await make();
      const u = `u${Math.random().toString(36).slice(2, 10)}`;
      pid = `p${Math.random().toString(36).slice(2, 10)}`;
      await s.createUser({ id: u, email: `${u}@x.org`, name: u, passwordHash: null, createdAt: 1 });
      await s.createProject({ id: pid, name: 'P', createdAt: 1 }, u);
      for (const [i, id] of ['a', 'b'].entries()) {
        await s.createTranscript({ id: `${pid}${id}`, projectId: pid, name: `Interview ${id}`, createdAt: i, turns: 0, codings: 0, mode: 'open', revealed: false });
      }
    });
    afterEach(async () => { if (cleanup) await cleanup(s); else await s.close(); });

    const find = async (q: string, extra: { speaker?: string; transcriptIds?: string[] } = {}) =>
      (await s.searchTurns(pid, { match: parseTextQuery(q), limit: 100, ...extra })).map((r) => `${r.transcriptId.slice(-1)}${r.turn}`);

    it('finds words, phrases and prefixes, diacritic-insensitive, and follows replaced text', async () => {
      const a = `${pid}a`;
      const b = `${pid}b`;
      expect(await s.unindexedTranscripts(pid)).toEqual([a, b]);
      await s.writeSearchText([
        { projectId: pid, transcriptId: a, turns: [
          { turn: 0, speaker: 'Q', start: 0, text: 'How was the Café?' },
          { turn: 1, speaker: 'Ana', start: 18, text: 'I felt left out at the cafe, honestly.' },
        ] },
        { projectId: pid, transcriptId: b, turns: [{ turn: 0, speaker: 'Ben', start: 0, text: 'Interviews make me feel left out.' }] },
        { projectId: pid, transcriptId: 'not-listed', turns: [{ turn: 0, speaker: null, start: 0, text: 'cafe' }] },
      ]);
      expect(await s.unindexedTranscripts(pid)).toEqual([]);
      expect(await find('cafe')).toEqual(['a0', 'a1']);
      expect(await find('CAFÉ honestly')).toEqual(['a1']);
      expect(await find('"left out"')).toEqual(['a1', 'b0']);
      expect(await find('"out left"')).toEqual([]);
      expect(await find('interv*')).toEqual(['b0']);
      expect(await find('left', { speaker: 'Ben' })).toEqual(['b0']);
      expect(await find('left', { transcriptIds: [a] })).toEqual(['a1']);
      const row = (await s.searchTurns(pid, { match: parseTextQuery('honestly'), limit: 10 }))[0];
      expect(row).toEqual({ id: expect.any(Number), transcriptId: a, transcriptName: 'Interview a', turn: 1, speaker: 'Ana', start: 18, text: 'I felt left out at the cafe, honestly.' });
      // Every turn without a query (regular expressions), bounded by the limit.
      const page1 = await s.searchTurns(pid, { match: null, limit: 2 });
      expect(page1.map((r) => `${r.transcriptId.slice(-1)}${r.turn}`)).toEqual(['a0', 'a1']);
      expect((await s.searchTurns(pid, { match: null, limit: 2, afterId: page1[1]!.id })).map((r) => `${r.transcriptId.slice(-1)}${r.turn}`)).toEqual(['b0']);

      // Edits replace the transcript's turns: deleted words leave the index, inserted ones enter it.
      await s.writeSearchText([{ projectId: pid, transcriptId: a, turns: [{ turn: 0, speaker: 'Q', start: 0, text: 'How was the tea room? Wonderful.' }] }]);
      expect(await find('cafe')).toEqual([]);
      expect(await find('wonderful')).toEqual(['a0']);

      // A deleted transcript leaves the index with it.
      await s.deleteTranscript(pid, b);
      expect(await find('"left out"')).toEqual([]);
    });
  });
}
