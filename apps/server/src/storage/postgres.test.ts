import { randomBytes } from 'node:crypto';
import pg from 'pg';
import * as Y from 'yjs';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeStoredDoc } from '../sync/room.ts';
import { storageContract } from './contract.ts';
import { searchContract } from './search-contract.ts';
import { MIGRATIONS } from './migrations.ts';
import { PostgresStorage, roomLockKey } from './postgres.ts';

/** PostgreSQL runs in CI as it does locally; nothing here is skipped. */
const URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `concord_test_${randomBytes(6).toString('hex')}`;

const admin = new pg.Client({ connectionString: URL });
const adminReady = admin.connect();
afterAll(async () => {
  await adminReady;
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
});

const connect = () => PostgresStorage.connect(URL, { schema: SCHEMA });

storageContract('postgres', connect);
searchContract('postgres', connect);

describe('PostgresStorage', () => {
  it('runs migrations once when several nodes start at the same time', async () => {
    const schema = `${SCHEMA}_m`;
    try {
      const nodes = await Promise.all([1, 2, 3, 4].map(() => PostgresStorage.connect(URL, { schema })));
      await Promise.all(nodes.map((n) => n.close()));
      await adminReady;
      const res = await admin.query(`SELECT version FROM ${schema}.schema_version`);
      expect(res.rows).toEqual([{ version: MIGRATIONS.length }]);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });

  it('round-trips every byte value exactly, as arrays that own their bytes', async () => {
    const s = await connect();
    try {
      const room = `p${randomBytes(4).toString('hex')}/codebook`;
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const view = new Uint8Array(new Uint8Array([9, 9, 1, 2, 3, 9]).buffer, 2, 3); // a view: offset and length matter
      await s.appendUpdates(room, [all, view, new Uint8Array(0)]);
      const { updates } = await s.loadDoc(room);
      expect(updates.map((u) => Array.from(u))).toEqual([Array.from(all), [1, 2, 3], []]);
      for (const u of updates) expect(u.byteLength).toBe(u.buffer.byteLength);
      await s.compactDoc(room, () => all);
      const after = await s.loadDoc(room);
      expect(Array.from(after.snapshot!)).toEqual(Array.from(all));
      expect(after.updates).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('room lock keys are stable signed 64-bit integers', () => {
    expect(roomLockKey('p1/codebook')).toBe(roomLockKey('p1/codebook'));
    expect(roomLockKey('p1/codebook')).not.toBe(roomLockKey('p2/codebook'));
    const k = BigInt(roomLockKey('p1/codebook'));
    expect(k >= -(2n ** 63n) && k < 2n ** 63n).toBe(true);
  });

  it('loses no update when two nodes append to one room while one of them compacts', async () => {
    // Two pools = two server processes sharing the database.
    const nodeA = await PostgresStorage.connect(URL, { schema: SCHEMA, max: 6 });
    const nodeB = await PostgresStorage.connect(URL, { schema: SCHEMA, max: 6 });
    const room = `p${randomBytes(4).toString('hex')}/transcripts/t1`;
    const PER_WRITER = 150;
    const IN_FLIGHT = 5; // concurrent append transactions per writer, so seq order ≠ commit order
    try {
      const writer = async (node: PostgresStorage, name: string): Promise<void> => {
        const doc = new Y.Doc();
        const updates: Uint8Array[] = [];
        doc.on('update', (u: Uint8Array) => updates.push(u));
        for (let i = 0; i < PER_WRITER; i++) doc.getArray<string>('items').push([`${name}-${i}`]);
        doc.destroy();
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < updates.length) {
            const u = updates[next++]!;
            await node.appendUpdates(room, [u]);
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      };
      let writing = true;
      let compactions = 0;
      const compactor = (async () => {
        while (writing) {
          await nodeA.compactDoc(room, mergeStoredDoc);
          compactions++;
        }
      })();
      await Promise.all([writer(nodeA, 'a'), writer(nodeB, 'b')]);
      writing = false;
      await compactor;
      expect(compactions).toBeGreaterThan(1);

      const stored = await nodeB.loadDoc(room);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, mergeStoredDoc(stored));
      const items = new Set(doc.getArray<string>('items').toArray());
      const missing: string[] = [];
      for (const w of ['a', 'b']) for (let i = 0; i < PER_WRITER; i++) if (!items.has(`${w}-${i}`)) missing.push(`${w}-${i}`);
      expect(missing).toEqual([]);
      expect(items.size).toBe(2 * PER_WRITER);
      // Each writer's own items stay in its own order.
      const arr = doc.getArray<string>('items').toArray();
      for (const w of ['a', 'b']) {
        expect(arr.filter((x) => x.startsWith(`${w}-`))).toEqual(Array.from({ length: PER_WRITER }, (_, i) => `${w}-${i}`));
      }
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });

  it('a compaction waits for an append transaction in flight on another node', async () => {
    const node = await connect();
    const room = `p${randomBytes(4).toString('hex')}/codebook`;
    const other = new pg.Client({ connectionString: URL, options: `-c search_path=${SCHEMA}` });
    await other.connect();
    try {
      await node.appendUpdates(room, [new Uint8Array([1])]);
      // Another node's append: shared lock taken, row inserted, not yet committed.
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock_shared($1::bigint)', [roomLockKey(room)]);
      await other.query('INSERT INTO doc_updates (room, data) VALUES ($1, $2)', [room, Buffer.from([2])]);
      let merged: number[][] | null = null;
      const compaction = node.compactDoc(room, (d) => {
        merged = d.updates.map((u) => Array.from(u));
        return new Uint8Array([7]);
      });
      await new Promise((r) => setTimeout(r, 150));
      expect(merged).toBeNull(); // blocked behind the in-flight append
      await other.query('COMMIT');
      await compaction;
      expect(merged).toEqual([[1], [2]]);
      expect(await node.loadDoc(room)).toEqual({ snapshot: new Uint8Array([7]), updates: [] });
    } finally {
      await other.end();
      await node.close();
    }
  });
});
