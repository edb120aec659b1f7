import { z } from 'zod';
import { parseRoom } from '@concord/shared';
import type { Connection } from './connection.ts';
import type { Room } from './room.ts';

/**
 * Which sockets lose their access, as data rather than a function, so that it can
 * be sent to every node: a socket matches when every given field matches.
 */
export const Revocation = z.object({
  /** Sockets opened with this session or access token (sign-out, token deleted). */
  credentialId: z.string().min(1).optional(),
  /** Every socket of this account (password reset or changed, account disabled). */
  userId: z.string().min(1).optional(),
  /** Sockets of this user in this project (role changed, member removed). */
  member: z.object({ projectId: z.string().min(1), userId: z.string().min(1) }).optional(),
  /** Every room of this transcript: `<pid>/transcripts/<tid>` and the rooms under it (transcript deleted). */
  transcript: z.object({ projectId: z.string().min(1), transcriptId: z.string().min(1) }).optional(),
  /** Every room of this project, `<pid>/…` (project deleted). */
  project: z.object({ projectId: z.string().min(1) }).optional(),
  /** Only the coders' layer rooms of the transcript (coding mode changed, revealed). */
  layersOnly: z.boolean().optional(),
  code: z.number().int().min(1000).max(4999),
  reason: z.string().max(120),
}).refine((r) => !!(r.credentialId || r.userId || r.member || r.transcript || r.project), 'a revocation names a credential, a user, a member, a transcript or a project');

export type Revocation = z.infer<typeof Revocation>;

export function revocationMatcher(r: Revocation): (conn: Connection, room: Room) => boolean {
  return (conn, room) => {
    if (r.credentialId !== undefined && conn.credentialId !== r.credentialId) return false;
    if (r.userId !== undefined && conn.userId !== r.userId) return false;
    if (r.project && !room.name.startsWith(`${r.project.projectId}/`)) return false;
    if (r.member && (conn.projectId !== r.member.projectId || conn.userId !== r.member.userId)) return false;
    if (r.transcript) {
      const parsed = parseRoom(room.name);
      if (!parsed || !('transcriptId' in parsed)) return false;
      if (parsed.projectId !== r.transcript.projectId || parsed.transcriptId !== r.transcript.transcriptId) return false;
      if (r.layersOnly && parsed.kind !== 'layer') return false;
    }
    return true;
  };
}

/** Carries revocations to the other nodes (Redis); a single node has none. */
export interface RevocationBus {
  publish(r: Revocation): void;
  close(): Promise<void>;
}
