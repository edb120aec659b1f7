/**
 * WebSocket close codes used by the sync server, defined once for server and
 * clients. 44xx mirror the HTTP status they resemble and are final: y-websocket 3
 * does not reconnect after them. 45xx are transient: the client reconnects.
 */
export const CloseCode = {
  /** The frame could not be decoded as a y-websocket message. */
  BadMessage: 4400,
  /** No (valid) session cookie or token. */
  Unauthorized: 4401,
  /** Signed in, but not a member of the project, or may not read this room. */
  Forbidden: 4403,
  /** The room name does not have a known shape, or its project/transcript does not exist. */
  UnknownRoom: 4404,
  /** Membership or coding mode changed while connected: reconnect to be re-authorised. */
  AccessChanged: 4509,
  /**
   * A change the room's rules refuse (a coding attributed to someone else, a code
   * id the codebook never had, a codebook entry or coding not in the schema's shape,
   * a protected field, another client's presence). Nothing of it was applied.
   */
  RefusedChange: 4422,
  /** More messages per second than allowed. */
  RateLimited: 4429,
  /** Loading or storing the room failed on the server. */
  RoomFailed: 4500,
  /** The server is shutting down; reconnect elsewhere. */
  ServerShutdown: 4503,
  /** Standard: a frame was larger than LIMITS.maxFrameBytes. */
  TooLarge: 1009,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/** Close codes after which a client should stop reconnecting until the user acts. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
  CloseCode.UnknownRoom,
  CloseCode.RefusedChange,
]);

export function closeReason(code: number): string {
  switch (code) {
    case CloseCode.BadMessage: return 'malformed message';
    case CloseCode.Unauthorized: return 'sign in required';
    case CloseCode.Forbidden: return 'no access to this room';
    case CloseCode.UnknownRoom: return 'unknown room';
    case CloseCode.AccessChanged: return 'access changed';
    case CloseCode.RefusedChange: return 'change refused';
    case CloseCode.RateLimited: return 'too many messages';
    case CloseCode.RoomFailed: return 'room failed on the server';
    case CloseCode.ServerShutdown: return 'server shutting down';
    case CloseCode.TooLarge: return 'message too large';
    default: return 'closed';
  }
}
