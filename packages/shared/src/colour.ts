/**
 * Colours that may go into a `style` attribute. Colours come from documents and
 * presence other clients write, so anything else (`red; background:url(…)`,
 * `expression(…)`) is replaced before it is rendered; the server checks them
 * when written as well.
 */
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const NUM = String.raw`\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:%|deg)?\s*`;
const FUNCTIONAL = new RegExp(String.raw`^(?:rgba?|hsla?)\((?:${NUM},${NUM},${NUM}(?:,${NUM})?|${NUM}${NUM}${NUM}(?:/${NUM})?)\)$`, 'i');

/** Whether `value` is a CSS colour in hex (`#rgb`, `#rrggbb`, with alpha) or `rgb()`/`hsl()` notation, and nothing more. */
export function isColour(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && (HEX.test(value) || FUNCTIONAL.test(value));
}

/** `value` when it is a colour (see `isColour`), else `fallback`. */
export function colourOr(value: unknown, fallback: string): string {
  return isColour(value) ? value : fallback;
}
