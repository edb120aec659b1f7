import type { Room } from './room.ts';

/**
 * Cross-node fan-out: updates and awareness of a room published to every node
 * that has the room loaded. The Redis implementation lives in `pubsub/`.
 */
export interface Fanout {
  subscribe(room: Room): Promise<void>;
  unsubscribe(room: Room): Promise<void>;
  publishUpdate(room: string, update: Uint8Array): void;
  publishAwareness(room: string, update: Uint8Array): void;
  close(): Promise<void>;
}
