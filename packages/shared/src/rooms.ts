/**
 * Room names: one Yjs document per permission boundary (see docs/architecture.md, "Documents").
 *
 *   <projectId>/codebook
 *   <projectId>/transcripts/<transcriptId>
 *   <projectId>/transcripts/<transcriptId>/layers/<userId>
 *   <projectId>/transcripts/<transcriptId>/comments
 */
export type Room =
  | { kind: 'codebook'; projectId: string }
  | { kind: 'transcript'; projectId: string; transcriptId: string }
  | { kind: 'layer'; projectId: string; transcriptId: string; userId: string }
  | { kind: 'comments'; projectId: string; transcriptId: string };

export type RoomKind = Room['kind'];

const ID = '[A-Za-z0-9_-]{1,64}';
const PATTERNS: [RegExp, (m: RegExpExecArray) => Room][] = [
  [new RegExp(`^(${ID})/codebook$`), (m) => ({ kind: 'codebook', projectId: m[1]! })],
  [new RegExp(`^(${ID})/transcripts/(${ID})$`), (m) => ({ kind: 'transcript', projectId: m[1]!, transcriptId: m[2]! })],
  [
    new RegExp(`^(${ID})/transcripts/(${ID})/layers/(${ID})$`),
    (m) => ({ kind: 'layer', projectId: m[1]!, transcriptId: m[2]!, userId: m[3]! }),
  ],
  [new RegExp(`^(${ID})/transcripts/(${ID})/comments$`), (m) => ({ kind: 'comments', projectId: m[1]!, transcriptId: m[2]! })],
];

/** Parses a room name; `null` when it has no known shape. */
export function parseRoom(name: string): Room | null {
  for (const [re, make] of PATTERNS) {
    const m = re.exec(name);
    if (m) return make(m);
  }
  return null;
}

export function roomName(room: Room): string {
  switch (room.kind) {
    case 'codebook': return `${room.projectId}/codebook`;
    case 'transcript': return `${room.projectId}/transcripts/${room.transcriptId}`;
    case 'layer': return `${room.projectId}/transcripts/${room.transcriptId}/layers/${room.userId}`;
    case 'comments': return `${room.projectId}/transcripts/${room.transcriptId}/comments`;
  }
}

export const codebookRoom = (projectId: string): string => roomName({ kind: 'codebook', projectId });
export const transcriptRoom = (projectId: string, transcriptId: string): string =>
  roomName({ kind: 'transcript', projectId, transcriptId });
export const layerRoom = (projectId: string, transcriptId: string, userId: string): string =>
  roomName({ kind: 'layer', projectId, transcriptId, userId });
export const commentsRoom = (projectId: string, transcriptId: string): string =>
  roomName({ kind: 'comments', projectId, transcriptId });

export type Role = 'owner' | 'coder' | 'commenter' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'coder', 'commenter', 'viewer'];

export type Access = 'none' | 'read' | 'write';

export interface AccessContext {
  role: Role | null;
  userId: string;
  /** Coding mode of the transcript the room belongs to (layer rooms only). */
  mode?: 'open' | 'independent';
  /** Whether an owner has revealed the layers of the transcript. */
  revealed?: boolean;
}

/** What a user may do in a room: the single source of the authorisation table. */
export function roomAccess(room: Room, ctx: AccessContext): Access {
  const { role } = ctx;
  if (!role) return 'none';
  switch (room.kind) {
    case 'codebook':
    case 'transcript':
      return role === 'owner' || role === 'coder' ? 'write' : 'read';
    case 'comments':
      return role === 'viewer' ? 'read' : 'write';
    case 'layer': {
      const own = room.userId === ctx.userId;
      if (ctx.revealed) return 'read';
      if (own) return role === 'owner' || role === 'coder' ? 'write' : 'read';
      // Before the reveal nobody else may read a coder's layer, owners included.
      return 'none';
    }
  }
}
