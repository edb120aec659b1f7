import type { Storage } from '../storage/types.ts';
import type { RoomManager } from './room-manager.ts';

/**
 * Closes every room of a project on this node and, once they have stored what was
 * pending, deletes their stored documents: a deleted project's rooms leave nothing
 * behind even when a last update was still being written. Run on the node that
 * deletes the project and, through the revocation bus, on every other node.
 */
export async function purgeProjectRooms(rooms: RoomManager, storage: Storage, projectId: string): Promise<void> {
  const prefix = `${projectId}/`;
  await Promise.all([...rooms.rooms.values()].filter((r) => r.name.startsWith(prefix)).map((r) => r.close()));
  await storage.deleteProjectRooms(projectId);
}
