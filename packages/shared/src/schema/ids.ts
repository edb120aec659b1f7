interface CryptoLike {
  getRandomValues<T extends Uint8Array>(array: T): T;
}
const cryptoImpl = (globalThis as unknown as { crypto: CryptoLike }).crypto;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A random, URL- and room-name-safe id (about 95 bits with 16 characters). */
export function newId(length = 16): string {
  const bytes = cryptoImpl.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 62];
  return out;
}
