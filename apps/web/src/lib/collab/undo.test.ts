import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { UndoRouter } from './undo.ts';

const MINE = { name: 'mine' };

describe('UndoRouter', () => {
  it('undoes my most recent action across documents, never another origin', () => {
    const text = new Y.Doc();
    const layer = new Y.Doc();
    const body = text.getText('body');
    const codings = layer.getMap<string>('codings');
    const a = new Y.UndoManager(body, { trackedOrigins: new Set([MINE]), captureTimeout: 0 });
    const b = new Y.UndoManager(codings, { trackedOrigins: new Set([MINE]), captureTimeout: 0 });
    const router = new UndoRouter([a, b]);

    text.transact(() => body.insert(0, 'hello'), MINE);
    layer.transact(() => codings.set('c1', 'code'), MINE);
    // someone else's change (another origin) is not mine to undo
    layer.transact(() => codings.set('c2', 'theirs'), { name: 'remote' });
    text.transact(() => body.insert(5, ' world'), MINE);

    expect(router.canUndo).toBe(true);
    router.undo();
    expect(body.toString()).toBe('hello');
    router.undo();
    expect(codings.has('c1')).toBe(false);
    expect(codings.get('c2')).toBe('theirs');
    router.undo();
    expect(body.toString()).toBe('');
    expect(router.undo()).toBe(false);

    router.redo();
    expect(body.toString()).toBe('hello');
    router.redo();
    expect(codings.get('c1')).toBe('code');
    router.destroy();
  });

  it('a new action clears what could be redone', () => {
    const doc = new Y.Doc();
    const m = doc.getMap<number>('m');
    const um = new Y.UndoManager(m, { trackedOrigins: new Set([MINE]), captureTimeout: 0 });
    const router = new UndoRouter([um]);
    doc.transact(() => m.set('x', 1), MINE);
    router.undo();
    expect(router.canRedo).toBe(true);
    doc.transact(() => m.set('y', 2), MINE);
    expect(router.canRedo).toBe(false);
    expect(router.redo()).toBe(false);
  });
});
