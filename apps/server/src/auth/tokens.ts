import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** A random secret: 20 bytes (160 bits) in lower-case base32, as in Lucia's session guide. */
export function generateSecret(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/**
 * What is stored for a secret: its SHA-256 (of the UTF-8 bytes) in lower-case hex,
 * with @oslojs, as the session contract in docs/architecture.md names (a few µs per request or join).
 */
export function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

export const PAT_PREFIX = 'cpat_';
