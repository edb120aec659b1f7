import type { Context } from 'hono';
import type { Role } from '@concord/shared';
import type { Principal } from '../auth/auth.service.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { AuthLimiters } from '../pubsub/create.ts';
import type { Config } from '../env.ts';
import type { Storage } from '../storage/types.ts';
import type { RoomManager } from '../sync/room-manager.ts';
import type { ImportPool } from '../import/import-pool.ts';
import { forbidden, notFound, unauthorized } from '../errors.ts';
import type { ZodType } from 'zod';
import { badRequest } from '../errors.ts';
import { requireReach } from './token-scope.ts';
import type { PresenceDirectory } from '../pubsub/presence.ts';
import type { AddressResolver } from './client-address.ts';
import type { Metrics } from './metrics.ts';

export interface AppDeps {
  config: Config;
  storage: Storage;
  auth: AuthService;
  rooms: RoomManager;
  /** Worker threads that parse and build imports (off the event loop). */
  imports: ImportPool;
  /** Who is in which transcript over every node (several nodes: through Redis); this node's rooms when absent. */
  presence?: PresenceDirectory;
  /** Failed sign-ins per account and address and per address, sign-ups per address (several nodes: counted in Redis across all of them). */
  authLimits: Omit<AuthLimiters, 'close'>;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** Prometheus metrics of this server (`GET /metrics`); absent in the CLI. */
  metrics?: Metrics;
  /** The client's address of a request, believing only trusted proxies (`CONCORD_TRUST_PROXY`). */
  clientAddress: AddressResolver;
}

export interface Env {
  Variables: { principal: Principal | null };
}

export type Ctx = Context<Env>;

export function requireUser(c: Ctx): Principal {
  const p = c.get('principal');
  if (!p) throw unauthorized();
  return p;
}

const RANK: Record<Role, number> = { viewer: 0, commenter: 1, coder: 2, owner: 3 };

/** The caller's role in a project, at least `min`; 404 for non-members so project ids don't leak. */
export async function requireRole(deps: AppDeps, c: Ctx, projectId: string, min: Role = 'viewer'): Promise<{ principal: Principal; role: Role }> {
  const principal = requireUser(c);
  requireReach(principal, projectId);
  const role = await deps.storage.getRole(projectId, principal.user.id);
  if (!role) throw notFound('This project');
  if (RANK[role] < RANK[min]) throw forbidden(`This needs the ${min} role; you are ${role === 'owner' ? 'an' : 'a'} ${role}.`);
  return { principal, role };
}

export async function parseJson<T>(c: Ctx, schema: ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw badRequest('The request body must be JSON.', 'invalid_json');
  }
  const r = schema.safeParse(body);
  if (!r.success) {
    const first = r.error.issues[0];
    throw badRequest(first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'invalid body', 'invalid_body');
  }
  return r.data;
}
