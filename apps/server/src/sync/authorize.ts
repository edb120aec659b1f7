import { CloseCode, parseRoom, roomAccess, type Access, type Room } from '@concord/shared';
import type { Storage } from '../storage/types.ts';

export type RoomDecision =
  | { ok: true; room: Room; access: Exclude<Access, 'none'> }
  | { ok: false; code: number; reason: string };

/**
 * Decides what `userId` may do in the room called `name` (the table in docs/sync-protocol.md, via
 * `roomAccess`). Runs on every socket join, so storage is read once.
 */
export async function authorizeRoom(storage: Storage, name: string, userId: string): Promise<RoomDecision> {
  const room = parseRoom(name);
  if (!room) return { ok: false, code: CloseCode.UnknownRoom, reason: 'unknown room' };
  const facts = await storage.getRoomAccess(
    room.projectId, userId,
    room.kind === 'codebook' ? null : room.transcriptId,
    room.kind === 'layer' ? room.userId : null,
  );
  if (!facts) return { ok: false, code: CloseCode.UnknownRoom, reason: 'unknown project' };
  const role = facts.role;
  if (!role) return { ok: false, code: CloseCode.Forbidden, reason: 'not a member of this project' };
  let mode: 'open' | 'independent' = 'open';
  let revealed = false;
  if (room.kind !== 'codebook') {
    if (!facts.transcript) return { ok: false, code: CloseCode.UnknownRoom, reason: 'unknown transcript' };
    mode = facts.transcript.mode;
    revealed = facts.transcript.revealed;
  }
  if (room.kind === 'layer' && !facts.coderIsMember) {
    return { ok: false, code: CloseCode.UnknownRoom, reason: 'no such coder in this project' };
  }
  const access = roomAccess(room, { role, userId, mode, revealed });
  if (access === 'none') return { ok: false, code: CloseCode.Forbidden, reason: 'this coding layer is private until the owner reveals it' };
  return { ok: true, room, access };
}
