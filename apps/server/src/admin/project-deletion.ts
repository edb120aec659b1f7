import { CloseCode } from '@concord/shared';
import type { MediaStore } from '../media/media-store.ts';
import type { Storage } from '../storage/types.ts';
import type { RoomManager } from '../sync/room-manager.ts';
import { purgeProjectRooms } from '../sync/project-rooms.ts';

/**
 * Deletes a project with everything of it: first its rows (so no socket can join
 * it again), then its sockets on every node are closed with 4404 and its rooms'
 * stored documents removed once they are unloaded, and its recordings deleted
 * (`CONCORD_MEDIA_DIR`, which every node shares). False when there is no such project.
 */
export async function deleteProjectEverywhere(storage: Storage, rooms: RoomManager, media: MediaStore, projectId: string): Promise<boolean> {
  if (!(await storage.deleteProject(projectId))) return false;
  rooms.revoke({ project: { projectId }, code: CloseCode.UnknownRoom, reason: 'project deleted' });
  await purgeProjectRooms(rooms, storage, projectId);
  await media.removeProject(projectId);
  return true;
}
