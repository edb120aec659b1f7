import { SPEAKER_LABELS_NOTE } from '../refi/model.ts';

/**
 * Speaker labels in exported REFI-QDA texts: other tools show a source as plain
 * text, so each speaker turn starts with "Name: " there, and every position is
 * shifted to match. The source's description declares the speakers, so Concord's
 * own import finds exactly these labels again and takes them off. Offsets are
 * UTF-16 (JS strings).
 */

const labelOf = (name: string): string => `${name.replace(/\s+/g, ' ').trim()}: `;

export interface LabelledText {
  text: string;
  /** A position of the original text in the labelled one; a span starting at a turn start begins after its label. */
  shift: (offset: number, edge: 'start' | 'end') => number;
}

export function labelTurns(text: string, turns: readonly { start: number; speaker: string | null }[]): LabelledText {
  const inserts = turns
    .filter((t): t is { start: number; speaker: string } => t.speaker !== null && t.speaker.trim() !== '' && t.start >= 0 && t.start <= text.length)
    .map((t) => ({ at: t.start, label: labelOf(t.speaker) }))
    .sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const i of inserts) {
    out += text.slice(from, i.at) + i.label;
    from = i.at;
  }
  out += text.slice(from);
  const shift = (offset: number, edge: 'start' | 'end'): number => {
    let d = 0;
    for (const i of inserts) {
      if (i.at < offset || (i.at === offset && edge === 'start')) d += i.label.length;
      else break;
    }
    return offset + d;
  };
  return { text: out, shift };
}

/** The source description that declares the labels (shown as the source's memo in other tools). */
export function speakersDescription(speakers: readonly string[]): string {
  return [SPEAKER_LABELS_NOTE, 'Speakers:', ...speakers.map((s) => s.replace(/\s+/g, ' ').trim())].join('\n');
}

/** The speakers a description declares, or null when it is not Concord's declaration. */
export function declaredSpeakers(description: string | undefined): string[] | null {
  if (!description?.startsWith(SPEAKER_LABELS_NOTE)) return null;
  const lines = description.split('\n').map((l) => l.trim());
  const at = lines.indexOf('Speakers:');
  return at < 0 ? null : lines.slice(at + 1).filter(Boolean);
}

export interface UnlabelledText {
  text: string;
  /** Turn starts in the returned text, in order. */
  turns: { speaker: string | null; start: number }[];
  /** A position of the labelled text in the returned one (inside a label: where the turn's words start). */
  back: (offset: number) => number;
}

/**
 * Takes the declared labels off the starts of paragraphs. A labelled paragraph
 * starts a turn of that speaker; a paragraph without a label continues the turn
 * before it, or is a turn without a speaker when no labelled turn came before.
 */
export function unlabelTurns(text: string, speakers: readonly string[]): UnlabelledText {
  const labels = [...new Set(speakers.map(labelOf))].sort((a, b) => b.length - a.length);
  const removed: { at: number; length: number }[] = [];
  const turns: { speaker: string | null; start: number }[] = [];
  let out = '';
  let from = 0;
  let cut = 0;
  const re = /(^|\n\n+)(?=\S)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const p = m.index + m[1]!.length;
    if (m[0].length === 0) re.lastIndex++;
    const label = labels.find((l) => text.startsWith(l, p));
    if (label) {
      out += text.slice(from, p);
      from = p + label.length;
      removed.push({ at: p, length: label.length });
      turns.push({ speaker: label.slice(0, -2), start: p - cut });
      cut += label.length;
    } else if (turns.length === 0 || turns[turns.length - 1]!.speaker === null) {
      turns.push({ speaker: null, start: p - cut });
    }
  }
  out += text.slice(from);
  const back = (offset: number): number => {
    let d = 0;
    for (const r of removed) {
      if (r.at >= offset) break;
      d += Math.min(r.length, offset - r.at);
    }
    return offset - d;
  };
  return { text: out, turns, back };
}
