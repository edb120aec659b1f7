import type { Segment } from '@concord/shared';

/** Filters of the retrieval view, as query parameters of `GET /api/projects/:pid/segments`. */
export interface RetrievalFilter {
  code: string | null;
  children: boolean;
  coder: string | null;
  speaker: string | null;
}

export function segmentsQuery(f: RetrievalFilter): string {
  const p = new URLSearchParams();
  if (f.code) p.set('code', f.code);
  if (f.code && f.children) p.set('children', '1');
  if (f.coder) p.set('coder', f.coder);
  if (f.speaker) p.set('speaker', f.speaker);
  p.set('format', 'json');
  return p.toString();
}

/** One passage: the same words coded by the same coder, with every code they applied there. */
export interface Passage {
  transcriptId: string;
  transcriptName: string;
  coderId: string;
  speaker: string | null;
  start: number;
  end: number;
  text: string;
  codes: { codeId: string; codeName: string; memo?: string }[];
  /** Where it comes from (open coding, consensus, a coder's layer) and why a consensus coding is there. */
  source: NonNullable<Segment['source']>;
  basis: Segment['basis'] | null;
  /** Who coded it (both coders of an agreed coding). */
  coders: string[];
}

export interface TranscriptGroup {
  transcriptId: string;
  transcriptName: string;
  passages: Passage[];
  /** Codings in this transcript (a passage may carry several). */
  codings: number;
}

/**
 * Quotes grouped by transcript (transcripts by name, passages in text order).
 * Codings of the same words by the same coder become one passage listing all
 * its codes (in `codeOrder`, e.g. codebook order), so a quote coded with a
 * code and its sub-code is read once.
 */
export function groupByTranscript(segments: readonly Segment[], codeOrder: readonly string[] = []): TranscriptGroup[] {
  const rank = new Map(codeOrder.map((id, i) => [id, i]));
  const groups = new Map<string, TranscriptGroup & { byKey: Map<string, Passage> }>();
  for (const s of segments) {
    let g = groups.get(s.transcriptId);
    if (!g) groups.set(s.transcriptId, (g = { transcriptId: s.transcriptId, transcriptName: s.transcriptName, passages: [], codings: 0, byKey: new Map() }));
    g.codings++;
    const key = `${s.start}:${s.end}:${s.coderId}:${s.source ?? 'open'}`;
    let p = g.byKey.get(key);
    if (!p) {
      p = {
        transcriptId: s.transcriptId, transcriptName: s.transcriptName, coderId: s.coderId, speaker: s.speaker, start: s.start, end: s.end, text: s.text, codes: [],
        source: s.source ?? 'open', basis: s.basis ?? null, coders: s.coders ?? [s.coderId],
      };
      g.byKey.set(key, p);
      g.passages.push(p);
    }
    p.codes.push({ codeId: s.codeId, codeName: s.codeName, ...(s.memo ? { memo: s.memo } : {}) });
  }
  const out = [...groups.values()].sort((a, b) => a.transcriptName.localeCompare(b.transcriptName, undefined, { numeric: true }));
  const r = (id: string): number => rank.get(id) ?? Number.MAX_SAFE_INTEGER;
  for (const g of out) {
    g.passages.sort((a, b) => a.start - b.start || a.end - b.end || a.coderId.localeCompare(b.coderId));
    for (const p of g.passages) p.codes.sort((a, b) => r(a.codeId) - r(b.codeId) || a.codeName.localeCompare(b.codeName));
  }
  return out.map(({ byKey: _drop, ...g }) => g);
}

/**
 * The coding view of the transcript, opened at the quote: `?at=start-end` in
 * code points (the segments API's unit), which the transcript page selects.
 */
export function quoteHref(pid: string, s: Pick<Segment, 'transcriptId' | 'start' | 'end'>): string {
  const e = encodeURIComponent;
  return `/projects/${e(pid)}/transcripts/${e(s.transcriptId)}?at=${s.start}-${s.end}`;
}

/** Reads `?at=start-end` (code points); null when absent or malformed. */
export function parseAt(search: string): { start: number; end: number } | null {
  const v = new URLSearchParams(search).get('at');
  const m = v ? /^(\d+)-(\d+)$/.exec(v) : null;
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return end > start ? { start, end } : null;
}

/** A one-line quote, shortened in the middle of long ones. */
export function shortQuote(text: string, max = 400): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const head = t.slice(0, Math.floor(max * 0.7));
  const tail = t.slice(t.length - Math.floor(max * 0.25));
  return `${head.replace(/\s+\S*$/, '')} … ${tail.replace(/^\S*\s+/, '')}`;
}
