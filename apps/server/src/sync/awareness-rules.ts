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
 * over LIMITS.maxAwarenessStateBytes or too many entries; a truncated update or a
 * state that is not JSON throws a plain error (closed as malformed, 4400).
 */
export function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  const dec = decoding.createDecoder(update);
  const n = decoding.readVarUint(dec);
  const out: AwarenessEntry[] = [];
  // Decoded whole first: a frame that does not decode is malformed (4400) whatever it claims.
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(dec);
    const clock = decoding.readVarUint(dec);
    out.push({ clientId, clock, state: decoding.readVarString(dec) });
  }
  for (const e of out) JSON.parse(e.state); // parsed here: an ignored (echoed) or held-back state is still malformed
  if (out.length > MAX_ENTRIES) throw new AwarenessRefused('too many presence states in one message');
  for (const e of out) {
    if (Buffer.byteLength(e.state) > LIMITS.maxAwarenessStateBytes) {
      throw new AwarenessRefused(`presence state over ${LIMITS.maxAwarenessStateBytes} bytes`);
    }
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
