import { newId, type User } from '@concord/shared';
import type { Storage, UserRecord } from '../storage/types.ts';
import { generateSecret, hashSecret, PAT_PREFIX } from './tokens.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

const DAY = 24 * 60 * 60 * 1000;

export interface Principal {
  user: User;
  /** Session id (hash) when authenticated by cookie; null for a personal access token. */
  sessionId: string | null;
  /** The credential used: the session id or the access token's id (both hashes), to close its sockets when revoked. */
  credentialId: string;
  via: 'session' | 'token';
  /** When the session ends unless it is used again (sliding), or the access token expires; null for a token without expiry. */
  expiresAt: number | null;
  /** What an access token may reach; absent for sessions and full tokens. */
  scope?: TokenScope;
}

/** An access token's limits: reads only, and/or one project. */
export interface TokenScope {
  readOnly: boolean;
  projectId: string | null;
}

/**
 * Accounts, sessions (Lucia's session design: random token, only its SHA-256
 * stored, sliding expiry) and personal access tokens. One `authenticate` is used
 * by HTTP and by the sync server.
 */
export class AuthService {
  private readonly sessionMs: number;

  constructor(private readonly storage: Storage, sessionDays: number, private readonly now: () => number = Date.now) {
    this.sessionMs = sessionDays * DAY;
  }

  async signup(email: string, password: string, name: string): Promise<User | null> {
    if (await this.storage.getUserByEmail(email)) return null;
    const user: UserRecord = { id: newId(), email, name, passwordHash: await hashPassword(password), createdAt: this.now() };
    try {
      await this.storage.createUser(user);
    } catch {
      return null; // lost a race on the unique email
    }
    return publicUser(user);
  }

  /**
   * Sign-up as the API offers it, revealing as little as possible about which
   * addresses have accounts: every path spends one argon2 operation. An existing
   * account with this password is signed in (someone signing up twice); an
   * existing account with another password, or (when invitations are required)
   * an address without one, is refused with the same null.
   */
  async register(email: string, password: string, name: string, invitationRequired: boolean): Promise<User | null> {
    const existing = await this.storage.getUserByEmail(email);
    if (existing) return this.login(email, password, existing);
    if (invitationRequired && !(await this.storage.takeInvitation(email))) {
      await verifyPassword(await dummyHash(), password);
      return null;
    }
    return this.signup(email, password, name);
  }

  async login(email: string, password: string, known?: UserRecord): Promise<User | null> {
    const user = known ?? await this.storage.getUserByEmail(email);
    if (!user?.passwordHash) {
      // Spend comparable time so response timing does not reveal which emails exist.
      await verifyPassword(await dummyHash(), password);
      return null;
    }
    const ok = await verifyPassword(user.passwordHash, password);
    return ok && !user.disabledAt ? publicUser(user) : null;
  }

  /** Ends every session and access token of an account (password reset or changed, account disabled). */
  async endAllCredentials(userId: string): Promise<void> {
    await this.storage.deleteUserSessions(userId);
    await this.storage.deleteUserTokens(userId);
  }

  /** Sets a new password and ends every session and access token the account had. */
  async setPassword(userId: string, password: string): Promise<void> {
    await this.storage.setPasswordHash(userId, await hashPassword(password));
    await this.endAllCredentials(userId);
  }

  async createSession(userId: string): Promise<{ token: string; expiresAt: number }> {
    const token = generateSecret();
    const expiresAt = this.now() + this.sessionMs;
    await this.storage.createSession({ id: hashSecret(token), userId, expiresAt });
    return { token, expiresAt };
  }

  /** Validates a session token; extends it when past half its life. Null when unknown or expired. */
  async validateSessionToken(token: string): Promise<{ principal: Principal; expiresAt: number; renewed: boolean } | null> {
    const id = hashSecret(token);
    const session = await this.storage.getSession(id);
    if (!session) return null;
    const now = this.now();
    if (now >= session.expiresAt) {
      await this.storage.deleteSession(id);
      return null;
    }
    const user = await this.storage.getUser(session.userId);
    if (!user || user.disabledAt) return null;
    let expiresAt = session.expiresAt;
    let renewed = false;
    if (now >= session.expiresAt - this.sessionMs / 2) {
      expiresAt = now + this.sessionMs;
      renewed = true;
      await this.storage.updateSessionExpiry(id, expiresAt);
    }
    return { principal: { user: publicUser(user), sessionId: id, credentialId: id, via: 'session', expiresAt }, expiresAt, renewed };
  }

  async invalidateSession(sessionId: string): Promise<void> {
    await this.storage.deleteSession(sessionId);
  }

  async createAccessToken(userId: string, name: string, limits: { expiresAt?: number | null; readOnly?: boolean; projectId?: string | null } = {}): Promise<{ id: string; token: string }> {
    const token = PAT_PREFIX + generateSecret();
    const id = hashSecret(token);
    await this.storage.createToken({ id, userId, name, createdAt: this.now(), expiresAt: limits.expiresAt ?? null, readOnly: limits.readOnly ?? false, projectId: limits.projectId ?? null });
    return { id, token };
  }

  async validateAccessToken(token: string): Promise<Principal | null> {
    if (!token.startsWith(PAT_PREFIX)) return null;
    const record = await this.storage.getToken(hashSecret(token));
    if (!record) return null;
    if (record.expiresAt != null && this.now() >= record.expiresAt) return null;
    const user = await this.storage.getUser(record.userId);
    if (!user || user.disabledAt) return null;
    const scoped = record.readOnly || record.projectId;
    return {
      user: publicUser(user), sessionId: null, credentialId: record.id, via: 'token', expiresAt: record.expiresAt ?? null,
      ...(scoped ? { scope: { readOnly: record.readOnly === true, projectId: record.projectId ?? null } } : {}),
    };
  }

  /** Session cookie or bearer/query token, whichever is present. */
  async authenticate(creds: { cookieToken?: string | null; bearer?: string | null }): Promise<Principal | null> {
    if (creds.bearer) return this.validateAccessToken(creds.bearer);
    if (creds.cookieToken) return (await this.validateSessionToken(creds.cookieToken))?.principal ?? null;
    return null;
  }
}

export function publicUser(u: UserRecord): User {
  return { id: u.id, email: u.email, name: u.name };
}

// A hash of a random secret, verified against for unknown emails to equalise timing.
let dummy: Promise<string> | null = null;
const dummyHash = (): Promise<string> => (dummy ??= hashPassword(generateSecret()));
