import { colourOr } from '@concord/shared';

const FALLBACK = '#8a93a3';

/**
 * A presence user as other clients published it, with its colours checked before
 * they reach a `style` attribute (anything but a colour is replaced).
 */
export function safeUser<U extends { name: string; color: string; colorLight?: string }>(u: U): U {
  const color = colourOr(u.color, FALLBACK);
  return { ...u, name: String(u.name), color, ...(u.colorLight !== undefined ? { colorLight: colourOr(u.colorLight, `${color.startsWith('#') && color.length === 7 ? color : FALLBACK}33`) } : {}) };
}
