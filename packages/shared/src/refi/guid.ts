/** GUID handling: REFI-QDA requires 8-4-4-4-12 hex GUIDs (optionally braced). */

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Trim, drop surrounding braces, lower-case. Used for every GUID read from a file and every reference. */
export function normalizeGuid(raw: string): string {
  let g = raw.trim();
  if (g.startsWith('{') && g.endsWith('}')) g = g.slice(1, -1).trim();
  return g.toLowerCase();
}

/** True for a (normalised) RFC-4122 layout GUID as the REFI-QDA schema requires. */
export function isGuid(value: string): boolean {
  return GUID_RE.test(value);
}

/** 32-bit FNV-1a over UTF-16 code units, with a seed. */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A deterministic GUID derived from any string (a version-8 "custom" UUID).
 * Not cryptographic; only used to give non-GUID ids a valid, stable GUID.
 */
export function guidFromString(text: string): string {
  const hex = [1, 2, 3, 4].map((s) => fnv1a(text, s * 0x9e3779b9).toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Maps model ids to valid REFI-QDA GUIDs for export: GUIDs are kept (normalised,
 * so case and brace variants of one GUID stay one GUID), anything else gets a
 * stable derived GUID. The same id always maps to the same GUID.
 */
export function toRefiGuid(id: string): string {
  const norm = normalizeGuid(id);
  return isGuid(norm) ? norm : guidFromString(id);
}
