import { createHash } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/** A random secret: 20 bytes (160 bits) in lower-case base32, as in Lucia's session guide. */
export function generateSecret(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** What is stored for a secret: its SHA-256 (of the UTF-8 bytes) in lower-case hex. Runs on every request and socket join. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export const PAT_PREFIX = 'cpat_';
