import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Every setting of the server, typed, documented and defaulted once. */
export interface Config {
  /** HTTP port; 0 picks a free one. `PORT`, default 3000. */
  port: number;
  /** Interface to bind. `HOST`, default all interfaces. */
  host: string;
  /** Data directory (SQLite file). `CONCORD_DATA`, default `./data`. */
  dataDir: string;
  /** PostgreSQL instead of SQLite when set. `DATABASE_URL`. */
  databaseUrl: string | null;
  /** Cross-node fan-out through Redis when set. `REDIS_URL`. */
  redisUrl: string | null;
  /** Extra allowed browser origins for the WebSocket and cookie-authenticated requests, comma-separated. `CONCORD_ORIGINS`. */
  origins: string[];
  /** Create the demo project on first start of an empty data dir. `CONCORD_DEMO`, default on (`0` turns it off). */
  demo: boolean;
  /** Directory of the built web app. `CONCORD_WEB_DIST`. */
  webDist: string;
  /** Session lifetime (sliding). `CONCORD_SESSION_DAYS`, default 30. */
  sessionDays: number;
  /** Mark cookies Secure. `CONCORD_SECURE_COOKIES`, default off unless origins are https. */
  secureCookies: boolean;
  /** SQLite synchronous mode. `CONCORD_SQLITE_SYNC` = NORMAL (default) | FULL. */
  sqliteSync: 'NORMAL' | 'FULL';
  /** Name of this node in logs and cross-node messages. `CONCORD_NODE`, default random. */
  nodeId: string;
  /** Quiet logs. `CONCORD_LOG` = info (default) | silent. */
  log: 'info' | 'silent';
  /**
   * Where recordings attached to transcripts are kept. `CONCORD_MEDIA_DIR`,
   * default `<dataDir>/media`. With several nodes it must be a directory every
   * node mounts (NFS, SMB, a shared volume).
   */
  mediaDir: string;
  /** Largest recording accepted, bytes. `CONCORD_MEDIA_MAX_MB` (megabytes), default 2048. */
  maxMediaBytes: number;
  /**
   * Which proxies in front of Concord to believe about the client's address
   * (`X-Forwarded-For`, `Forwarded`). `CONCORD_TRUST_PROXY`: empty (default, no
   * proxy: the socket's address counts), a number of proxy hops, or a comma list of
   * addresses and subnets (`127.0.0.1`, `10.0.0.0/8`, `loopback`, `uniquelocal`).
   */
  trustProxy: TrustProxy;
  /** Per-address and per-account limits; see `Limits`. */
  limits: Limits;
  /** Who may create an account. `CONCORD_SIGNUP` = open (default) | invite | off. */
  signup: 'open' | 'invite' | 'off';
  /** Email domains allowed to sign up (empty: any). `CONCORD_SIGNUP_DOMAINS`, comma-separated. */
  signupDomains: string[];
  /** Least zxcvbn score (0–4) a new password needs. `CONCORD_PASSWORD_MIN_SCORE`, default 3. */
  passwordMinScore: number;
  /** Bearer token for `GET /metrics`; without it only loopback addresses may read them. `CONCORD_METRICS_TOKEN`. */
  metricsToken: string | null;
  /** Worker threads that parse and build imports. `CONCORD_IMPORT_THREADS`, default one less than the cores (1–4). */
  importThreads: number;
  /** SMTP server for invitation e-mails, e.g. `smtp://user:pass@mail.example.org:587` (none: owners copy the link). `CONCORD_SMTP_URL`. */
  smtpUrl: string | null;
  /** Sender of Concord's e-mails. `CONCORD_MAIL_FROM`, default `Concord <concord@localhost>`. */
  mailFrom: string;
  /** The address users reach Concord at, for links in e-mails (`https://concord.example.org`). `CONCORD_PUBLIC_URL`; default: the inviting request's origin. */
  publicUrl: string | null;
  /** Days an invitation link stays valid. `CONCORD_INVITATION_DAYS`, default 7. */
  invitationDays: number;
  /** Sign-in through the institution's OpenID Connect provider; null when `CONCORD_OIDC_ISSUER` is unset. */
  oidc: OidcConfig | null;
}

export interface OidcConfig {
  /** `CONCORD_OIDC_ISSUER`, e.g. `https://login.uni.edu/realms/staff` (its `/.well-known/openid-configuration` is read). */
  issuer: string;
  /** `CONCORD_OIDC_CLIENT_ID` and `CONCORD_OIDC_CLIENT_SECRET` as registered with the provider. */
  clientId: string;
  clientSecret: string;
  /** Only e-mail addresses at these domains may sign in this way (empty: any). `CONCORD_OIDC_DOMAINS`, comma-separated. */
  domains: string[];
  /** Create an account on the first sign-in. `CONCORD_OIDC_CREATE_USERS`, default on (`0`: only existing accounts). */
  createUsers: boolean;
  /** The button's text: "Sign in with …". `CONCORD_OIDC_LABEL`, default `your institution`. */
  label: string;
}

function loadOidc(env: NodeJS.ProcessEnv): OidcConfig | null {
  const issuer = env.CONCORD_OIDC_ISSUER?.trim();
  if (!issuer) return null;
  const clientId = env.CONCORD_OIDC_CLIENT_ID?.trim();
  if (!clientId) throw new Error('CONCORD_OIDC_ISSUER needs CONCORD_OIDC_CLIENT_ID (and usually CONCORD_OIDC_CLIENT_SECRET)');
  return {
    issuer, clientId, clientSecret: env.CONCORD_OIDC_CLIENT_SECRET ?? '',
    domains: (env.CONCORD_OIDC_DOMAINS ?? '').split(',').map((s) => s.trim().toLowerCase().replace(/^@/, '')).filter(Boolean),
    createUsers: env.CONCORD_OIDC_CREATE_USERS !== '0',
    label: env.CONCORD_OIDC_LABEL?.trim() || 'your institution',
  };
}

/** `false`: no proxy; a number: that many hops; a list: addresses and subnets of trusted proxies. */
export type TrustProxy = false | number | string[];

/** Limits an operator may change (all counted per node unless Redis counts them for the cluster). */
export interface Limits {
  /** Unauthenticated WebSocket upgrades one address may have open at once. `CONCORD_UNAUTHENTICATED_PER_IP`, default 20. */
  unauthenticatedPerIp: number;
  /** Authenticated sockets one address may hold. `CONCORD_CONNECTIONS_PER_IP`, default 1000. */
  connectionsPerIp: number;
  /** Sockets one account may hold. `CONCORD_CONNECTIONS_PER_USER`, default 200. */
  connectionsPerUser: number;
  /** Milliseconds a refused socket may take to answer the close frame before it is cut. `CONCORD_CLOSE_GRACE_MS`, default 1000. */
  closeGraceMs: number;
  /** Open sockets re-check their session or token in storage this often. `CONCORD_CREDENTIAL_CHECK_S`, default 15. */
  credentialCheckMs: number;
  /** Failed sign-ins of one account from one address before each further one must wait (1 s, doubling). `CONCORD_LOGIN_FREE_ATTEMPTS`, default 5. */
  loginFreeAttempts: number;
  /** Failed sign-ins from one address (any account) before it must wait. `CONCORD_LOGIN_FAILURES_PER_IP`, default 100. */
  loginFailuresPerIp: number;
  /** Longest wait between failed sign-ins, seconds. `CONCORD_LOGIN_MAX_DELAY_S`, default 900. */
  loginMaxDelayMs: number;
  /** Accounts one address may create per hour. `CONCORD_SIGNUPS_PER_IP`, default 20. */
  signupsPerIpPerHour: number;
}

/** The repository: above apps/server/src/env.ts, or above apps/server/dist/main.js in the build. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'apps', 'server', 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '../../..');
  }
}

const REPO_ROOT = findRepoRoot(import.meta.dirname);

function int(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

/** Parses `CONCORD_TRUST_PROXY`. */
export function parseTrustProxy(v: string | undefined): TrustProxy {
  const s = (v ?? '').trim();
  if (s === '' || s === '0' || s === 'false') return false;
  if (/^\d+$/.test(s)) return Number(s);
  if (s === 'true') throw new Error('CONCORD_TRUST_PROXY=true would believe any client about its address; give the number of proxies or their addresses');
  return s.split(',').map((x) => x.trim()).filter(Boolean);
}

function loadLimits(env: NodeJS.ProcessEnv): Limits {
  const n = (name: string, dflt: number) => int(env[name], dflt, name);
  return {
    unauthenticatedPerIp: n('CONCORD_UNAUTHENTICATED_PER_IP', 20),
    connectionsPerIp: n('CONCORD_CONNECTIONS_PER_IP', 1000),
    connectionsPerUser: n('CONCORD_CONNECTIONS_PER_USER', 200),
    closeGraceMs: n('CONCORD_CLOSE_GRACE_MS', 1000),
    credentialCheckMs: n('CONCORD_CREDENTIAL_CHECK_S', 15) * 1000,
    loginFreeAttempts: n('CONCORD_LOGIN_FREE_ATTEMPTS', 5),
    loginFailuresPerIp: n('CONCORD_LOGIN_FAILURES_PER_IP', 100),
    loginMaxDelayMs: n('CONCORD_LOGIN_MAX_DELAY_S', 900) * 1000,
    signupsPerIpPerHour: n('CONCORD_SIGNUPS_PER_IP', 20),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const origins = (env.CONCORD_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const sync = (env.CONCORD_SQLITE_SYNC ?? 'NORMAL').toUpperCase();
  if (sync !== 'NORMAL' && sync !== 'FULL') throw new Error('CONCORD_SQLITE_SYNC must be NORMAL or FULL');
  const signup = (env.CONCORD_SIGNUP ?? 'open').toLowerCase();
  if (signup !== 'open' && signup !== 'invite' && signup !== 'off') throw new Error('CONCORD_SIGNUP must be open, invite or off');
  const minScore = int(env.CONCORD_PASSWORD_MIN_SCORE, 3, 'CONCORD_PASSWORD_MIN_SCORE');
  if (minScore > 4) throw new Error('CONCORD_PASSWORD_MIN_SCORE must be 0 to 4');
  const cfg: Config = {
    port: int(env.PORT, 3000, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.CONCORD_DATA ?? './data'),
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    origins,
    demo: env.CONCORD_DEMO !== '0',
    webDist: path.resolve(env.CONCORD_WEB_DIST ?? path.join(REPO_ROOT, 'apps/web/dist')),
    sessionDays: int(env.CONCORD_SESSION_DAYS, 30, 'CONCORD_SESSION_DAYS'),
    secureCookies: env.CONCORD_SECURE_COOKIES ? env.CONCORD_SECURE_COOKIES === '1' : origins.some((o) => o.startsWith('https:')),
    sqliteSync: sync,
    nodeId: env.CONCORD_NODE ?? Math.random().toString(36).slice(2, 8),
    log: env.CONCORD_LOG === 'silent' ? 'silent' : 'info',
    trustProxy: parseTrustProxy(env.CONCORD_TRUST_PROXY),
    limits: loadLimits(env),
    signup,
    signupDomains: (env.CONCORD_SIGNUP_DOMAINS ?? '').split(',').map((s) => s.trim().toLowerCase().replace(/^@/, '')).filter(Boolean),
    passwordMinScore: minScore,
    metricsToken: env.CONCORD_METRICS_TOKEN || null,
    mediaDir: path.resolve(env.CONCORD_MEDIA_DIR || path.join(env.CONCORD_DATA ?? './data', 'media')),
    maxMediaBytes: int(env.CONCORD_MEDIA_MAX_MB, 2048, 'CONCORD_MEDIA_MAX_MB') * 1024 * 1024,
    importThreads: Math.max(1, int(env.CONCORD_IMPORT_THREADS, Math.min(4, os.availableParallelism() - 1), 'CONCORD_IMPORT_THREADS')),
    smtpUrl: env.CONCORD_SMTP_URL || null,
    mailFrom: env.CONCORD_MAIL_FROM || 'Concord <concord@localhost>',
    publicUrl: env.CONCORD_PUBLIC_URL ? env.CONCORD_PUBLIC_URL.replace(/\/+$/, '') : null,
    invitationDays: Math.max(1, int(env.CONCORD_INVITATION_DAYS, 7, 'CONCORD_INVITATION_DAYS')),
    oidc: loadOidc(env),
  };
  const merged = { ...cfg, ...overrides };
  // A test or caller that moves the data directory moves the default media directory with it.
  if (overrides.dataDir && !overrides.mediaDir && !env.CONCORD_MEDIA_DIR) merged.mediaDir = path.join(merged.dataDir, 'media');
  return merged;
}

export { REPO_ROOT };
