/**
 * Smoke check with the real client libraries, once per server before the load:
 * two providers join the same room, one writes a map entry and sets its
 * awareness state, the other must see both. y-websocket's WebsocketProvider for
 * Concord and the reference server, @hocuspocus/provider for Hocuspocus. With
 * several server processes the two providers join different ones.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import type { Awareness } from 'y-protocols/awareness';
import { isConcord, type ServerKind, type SmokeResult } from './types.ts';

interface Peer {
  doc: Y.Doc;
  awareness: Awareness;
  synced(): boolean;
  destroy(): void;
}

function peer(server: ServerKind, wsBase: string, room: string, token: string | null): Peer {
  const doc = new Y.Doc();
  if (server === 'hocuspocus') {
    const websocketProvider = new HocuspocusProviderWebsocket({ url: wsBase, WebSocketPolyfill: WebSocket });
    const p = new HocuspocusProvider({ websocketProvider, name: room, document: doc, token: token ?? 'bench' });
    p.attach();
    return { doc, awareness: p.awareness!, synced: () => p.synced, destroy: () => { p.destroy(); websocketProvider.destroy(); } };
  }
  const url = isConcord(server) ? `${wsBase}/sync` : wsBase;
  const p = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: token ? { token } : {},
  });
  return { doc, awareness: p.awareness, synced: () => p.synced, destroy: () => p.destroy() };
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function smokeCheck(server: ServerKind, wsBases: readonly string[], room: string, token: string | null): Promise<SmokeResult> {
  const t0 = performance.now();
  const a = peer(server, wsBases[0]!, room, token);
  const b = peer(server, wsBases[wsBases.length - 1]!, room, token);
  try {
    await until(() => a.synced() && b.synced(), 10_000, 'both providers to sync');
    const nonce = Math.random().toString(36).slice(2);
    a.doc.getMap('smoke').set('nonce', nonce);
    a.awareness.setLocalStateField('user', { name: `smoke-${nonce}` });
    await until(() => b.doc.getMap('smoke').get('nonce') === nonce, 5_000, 'the update to reach the other provider');
    await until(() => [...b.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === `smoke-${nonce}`),
      5_000, 'the awareness state to reach the other provider');
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: err instanceof Error ? err.message : String(err) };
  } finally {
    a.destroy();
    b.destroy();
  }
}
