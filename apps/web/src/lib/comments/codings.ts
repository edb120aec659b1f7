/** A coding a new thread may be attached to. */
export interface AttachableCoding {
  id: string;
  start: number;
  end: number;
}

/**
 * The codings a selection matches: the same span, allowing for whitespace the
 * researcher dragged over at either end. Shortest first.
 */
export function codingsMatching<C extends AttachableCoding>(codings: readonly C[], from: number, to: number, text: string): C[] {
  const trim = (a: number, b: number): [number, number] => {
    while (a < b && /\s/.test(text[a] ?? '')) a++;
    while (b > a && /\s/.test(text[b - 1] ?? '')) b--;
    return [a, b];
  };
  const [f, t] = trim(from, to);
  if (t <= f) return [];
  return codings
    .filter((c) => {
      const [cf, ct] = trim(c.start, c.end);
      return cf === f && ct === t;
    })
    .sort((a, b) => a.end - a.start - (b.end - b.start));
}
