/**
 * Limits shared by client and server. The server enforces them; the client uses
 * them to refuse early with a clear message.
 */
export const LIMITS = {
  /** Largest WebSocket frame the sync server accepts (bytes). Also `maxPayload`. */
  maxFrameBytes: 2 * 1024 * 1024,
  /** Sustained messages per second per connection (token bucket refill rate). */
  messagesPerSecond: 300,
  /** Burst allowance of the per-connection token bucket. */
  messageBurst: 600,
  /** Largest transcript file accepted for import (bytes). */
  maxTranscriptBytes: 5 * 1024 * 1024,
  /**
   * Most speaker turns (paragraphs) one transcript may have. Real interviews have
   * hundreds to a few thousand; each turn is a map in the document every client loads.
   */
  maxTranscriptTurns: 50_000,
  /** Largest upload (all files of one request together). */
  maxUploadBytes: 50 * 1024 * 1024,
  /** Awareness states of a silent client are dropped after this long (ms). */
  awarenessTimeoutMs: 30_000,
  /**
   * Largest awareness (presence) state of one client, as JSON (bytes). Real states
   * (name, colour, cursor, viewport, activity) are a few hundred bytes.
   */
  maxAwarenessStateBytes: 8 * 1024,
  /**
   * Awareness updates a connection may send per second (token bucket, burst
   * `awarenessBurst`). Updates beyond it are not dropped but coalesced: the latest
   * state of each client is applied once the bucket allows.
   */
  awarenessUpdatesPerSecond: 20,
  awarenessBurst: 40,
  /** Awareness client ids one connection may introduce (a client has one per document). */
  maxAwarenessClientsPerConnection: 4,
  /** Server pings every connection this often and drops ones that missed a pong. */
  pingIntervalMs: 15_000,
  /**
   * Bytes of updates a room may hold whose dependencies never arrived (Yjs keeps them
   * pending and sends them to every client that joins). Past this the connection that
   * pushed it over is closed and the pending data dropped.
   */
  maxPendingBytes: 4 * 1024 * 1024,
  /**
   * Most items of one update that may share an insertion point (parent, map key,
   * origin and right origin). Only clients inserting at one spot concurrently
   * share one, a handful at most; Yjs places each such item by scanning all the
   * others, so thousands of them (one crafted update) take quadratic time.
   */
  maxConcurrentSiblings: 64,
  /**
   * Most items Yjs may have to scan while integrating one update (the server
   * counts them before applying it; see apps/server/src/sync/update-cost.ts). A
   * client's own edits scan only what others inserted concurrently at the same
   * spot; a crafted update can make each of its items scan a whole document.
   * Yjs takes roughly 30 ms for this many at worst; real clients' updates need
   * far fewer (a 20,000-character transcript with 2,000 codings: under 1,000).
   */
  maxUpdateScanSteps: 100_000,
  /**
   * Milliseconds a connection may spend in checking and applying its updates per
   * `updateCpuWindowMs` (leaky bucket); past this it is closed with 4429.
   */
  updateCpuBudgetMs: 2_000,
  updateCpuWindowMs: 10_000,
  /** Updates in a room's log before it is compacted into one snapshot. */
  compactAfterUpdates: 500,
} as const;

export const MAX_NAME_LENGTH = 200;
