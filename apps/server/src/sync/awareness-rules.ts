import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { LIMITS } from '@concord/shared';

/** One client's entry of a y-protocols awareness update: its state as JSON (`'null'`: removed). */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: string;
}

/** An awareness update the room's rules refuse; closes the connection with 4422. */
export class AwarenessRefused extends Error {}

/** Most entries one awareness update may carry (a client sends its own, a server a room's). */
const MAX_ENTRIES = 64;

/**
 * Decodes an awareness update (y-protocols' format: count, then client id, clock and
 * JSON state per entry) without applying it. Throws AwarenessRefused for a state
 * over LIMITS.maxAwarenessStateBytes or too many entries; a truncated update throws
 * lib0's decoding error (closed as malformed).
 */
export function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  const dec = decoding.createDecoder(update);
  const n = decoding.readVarUint(dec);
  if (n > MAX_ENTRIES) throw new AwarenessRefused('too many presence states in one message');
  const out: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(dec);
    const clock = decoding.readVarUint(dec);
    const state = decoding.readVarString(dec);
    if (Buffer.byteLength(state) > LIMITS.maxAwarenessStateBytes) {
      throw new AwarenessRefused(`presence state over ${LIMITS.maxAwarenessStateBytes} bytes`);
    }
    out.push({ clientId, clock, state });
  }
  return out;
}

export function encodeAwareness(entries: readonly AwarenessEntry[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(enc, e.clientId);
    encoding.writeVarUint(enc, e.clock);
    encoding.writeVarString(enc, e.state);
  }
  return encoding.toUint8Array(enc);
}
