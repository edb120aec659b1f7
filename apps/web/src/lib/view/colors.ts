/** Colours for people (cursors, avatars, coder badges): distinct from the code palette, readable on white. */
export const USER_COLORS = [
  '#3b6fd4', '#c2410c', '#7c3aed', '#0f8a5f', '#be185d', '#0e7490', '#a16207', '#4d7c0f', '#b91c1c', '#6d28d9',
] as const;

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/**
 * A person's avatar where no project is shown (project list, inbox): people's
 * colours are per project, so no colour that another page would contradict.
 */
export const NO_PROJECT_COLOR = '#5b6472';

/** The same colour for a person on every client. */
export function userColor(userId: string): string {
  return USER_COLORS[hashString(userId) % USER_COLORS.length]!;
}

const cache = new Map<string, string>();
function cached(key: string, make: () => string): string {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size > 2000) cache.clear();
    v = make();
    cache.set(key, v);
  }
  return v;
}

/** `#rrggbb` (or `#rgb`) → `rgba(r, g, b, alpha)`; unknown input gives a grey. */
export function withAlpha(hex: string, alpha: number): string {
  return cached(`a${hex}${alpha}`, () => {
    const rgb = parseHex(hex) ?? [128, 128, 128];
    return `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha})`;
  });
}

export function parseHex(hex: string): [number, number, number] | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  let h = m[1]!;
  if (h.length === 3) h = h.split('').map((c) => c + c).join('');
  const n = parseInt(h, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Black or white, whichever reads better on `hex`. */
export function textOn(hex: string): '#111827' | '#ffffff' {
  return cached(`t${hex}`, () => textOnUncached(hex)) as '#111827' | '#ffffff';
}

function textOnUncached(hex: string): '#111827' | '#ffffff' {
  const rgb = parseHex(hex);
  if (!rgb) return '#111827';
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.4 ? '#111827' : '#ffffff';
}

/** A darker shade for lines and text on white (yellows are unreadable otherwise). */
export function darken(hex: string, amount = 0.25): string {
  return cached(`d${hex}${amount}`, () => {
    const rgb = parseHex(hex);
    if (!rgb) return hex;
    const d = rgb.map((v) => Math.max(0, Math.round(v * (1 - amount))));
    return `#${d.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  });
}

export function initials(name: string): string {
  return cached(`i${name}`, () => initialsUncached(name));
}

function initialsUncached(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  if (parts.length === 1) return parts[0]!.slice(0, 2).toUpperCase();
  return (parts[0]![0]! + parts[parts.length - 1]![0]!).toUpperCase();
}

/**
 * Colours for the members of a project: distinct for the first ten members (in
 * the order the server lists them, the same for everyone), by hash otherwise.
 */
export function memberColors(memberIds: readonly string[]): (userId: string) => string {
  const index = new Map<string, number>();
  memberIds.forEach((id, i) => {
    if (!index.has(id)) index.set(id, i);
  });
  return (userId) => {
    const i = index.get(userId);
    return i !== undefined && i < USER_COLORS.length ? USER_COLORS[i]! : userColor(userId);
  };
}
