/** y-websocket message types (the first varuint of every frame). */
export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
} as const;

/** Sub-types of a sync message (y-protocols/sync). */
export const SyncType = {
  Step1: 0,
  Step2: 1,
  Update: 2,
} as const;
