/**
 * Speaker-label recognition rules shared by the text, WebVTT and SRT parsers.
 *
 * A label is accepted only when it is *shaped* like a label AND there is
 * evidence that it is one:
 *
 * Shape (`isLabelShaped`): at most 40 characters and 4 words, contains a letter
 * or digit, no sentence punctuation (`, ; ! ? "` or a final `.`), no URL.
 * Ordinary prose before a colon ("The main problem we had was: …") is almost
 * always longer, or contains commas.
 *
 * Evidence, one of:
 * - a well-known role pattern (`isKnownSpeakerPattern`): Interviewer,
 *   Interviewee, Participant, Respondent, Moderator, Speaker 2, P3, R12, …
 *   These are what transcription tools and qualitative researchers write;
 * - recurrence: the same label (case-insensitive) starts ≥ 2 lines of the file
 *   (names like `Amin:` or `Jane Doe:`). A speaker almost always speaks more
 *   than once, while the lead-in of an ordinary sentence hardly ever repeats
 *   verbatim at line start. For plain text we additionally require the label
 *   to be name-like (every word capitalised or a number), which rules out
 *   repeated lowercase lead-ins, and we reject a list of words that commonly
 *   precede a colon (Note, Example, Date, …) or make a one-word line of speech
 *   (Yeah, Okay, Thank, …);
 * - single letters (`I:`, `Q:`, `A:`, `R:`) need recurrence too: "A: the first
 *   option" in a list is plausible, a whole transcript of them is a label;
 * - dialogue: a name-like label seen once is accepted when the rest of the
 *   document is a dialogue written in the same `Name: text` pattern (the
 *   caller decides that, see `LabelEvidence.dialogue`): a participant who
 *   speaks once is still a speaker. The stop list still applies, so
 *   "Note: the tape stopped" stays prose.
 *
 * Names may be written in any script: capitalised words (`Amélie`, `O'Brien`,
 * `Nguyễn Văn An`), particles inside a name (`Ana de la Cruz`), or letters of
 * a script without case (`王芳`, `田中 さん`). The full-width colon `：` ends a
 * label like `:`.
 */

export const MAX_LABEL_CHARS = 40;
export const MAX_LABEL_WORDS = 4;

const ROLE_WORDS = [
  'interviewer', 'interviewee', 'interviewers', 'participant', 'respondent', 'moderator', 'facilitator',
  'speaker', 'host', 'co-host', 'guest', 'researcher', 'narrator', 'informant', 'subject', 'student',
  'teacher', 'patient', 'doctor', 'nurse', 'client', 'customer', 'user', 'caller', 'agent', 'observer',
  'note taker', 'notetaker', 'translator', 'interpreter', 'parent', 'child', 'unknown speaker',
  'unidentified speaker', 'unknown', 'audience', 'audience member',
];

/** Role word, optionally followed by a number/letter id: "Interviewer 1", "Speaker #2", "Participant B". */
const ROLE_RE = new RegExp(
  `^(?:${ROLE_WORDS.map((w) => w.replace(/[-\s]/g, (c) => (c === '-' ? '-' : '\\s+'))).join('|')})` +
    String.raw`(?:\s*[#-]?\s*(?:\d{1,4}|[A-Z]{1,2}))?$`,
  'i',
);
/** Common short ids: P1, R12, I2, S3, INT1, Resp 4, IV, IE, T1, M1, F2. */
const SHORT_ID_RE = /^(?:P|R|I|S|T|M|F|C|U|INT|IV|IE|RESP|PART|PT|SPK)\s*-?\s*\d{1,4}$|^(?:IV|IE|INT|IVR|IVE)$/i;
/** Single letters used as labels; need recurrence. */
const SINGLE_LETTER_RE = /^[A-Z]$/;

/** Words that precede a colon in prose or form a one-word line of speech. */
const NOT_LABELS = new Set([
  // colon lead-ins
  'note', 'notes', 'nb', 'n.b', 'ps', 'p.s', 'e.g', 'i.e', 'eg', 'ie', 'example', 'for example', 'for instance',
  'update', 'edit', 'tip', 'warning', 'important', 'summary', 'date', 'time', 'location', 'place', 'duration',
  'title', 'source', 'subject line', 're', 'fw', 'fwd', 'http', 'https', 'www', 'mailto', 'step', 'todo',
  'result', 'results', 'reason', 'problem', 'solution', 'issue', 'goal', 'so basically', 'basically',
  'transcript', 'interview', 'recording', 'file', 'attendees', 'participants', 'created', 'language',
  // interjections / one-word speech
  'yeah', 'yes', 'yep', 'yup', 'no', 'nope', 'okay', 'ok', 'right', 'sure', 'thanks', 'thank you', 'thank',
  'bye', 'bye bye', 'um', 'uh', 'hmm', 'mm', 'mhm', 'mm-hmm', 'uh-huh', 'so', 'well', 'and', 'but', 'or',
  'exactly', 'perfect', 'great', 'cool', 'alright', 'all right', 'absolutely', 'definitely', 'true', 'nice',
  'good', 'wow', 'oh', 'ah', 'hello', 'hi', 'hey', 'sorry', 'indeed', 'correct', 'of course', 'anyway',
  'also', 'then', 'because', 'like', 'and then', 'i mean', 'you know', 'the', 'a', 'it', 'this', 'that',
]);

/** Strips surrounding emphasis (`**`, `__`, `*`, `_`), a trailing colon and extra spaces. */
export function cleanLabel(raw: string): string {
  let s = raw.trim();
  for (let guard = 0; guard < 4; guard++) {
    const before = s;
    s = s.replace(/^(\*\*|__)(.+)\1$/, '$2').trim();
    s = s.replace(/^([*_])(.+)\1$/, '$2').trim();
    s = s.replace(/\s*[:：]$/, '').trim();
    if (s === before) break;
  }
  return s.replace(/\s+/g, ' ');
}

export function labelKey(label: string): string {
  return cleanLabel(label).toLowerCase();
}

export function isLabelShaped(label: string): boolean {
  const s = label.trim();
  if (s.length === 0 || s.length > MAX_LABEL_CHARS) return false;
  if (s.split(/\s+/).length > MAX_LABEL_WORDS) return false;
  if (!/[\p{L}\p{N}]/u.test(s)) return false;
  if (/[,;!?"“”…*#<>{}|=，、。；！？]/u.test(s)) return false;
  if (/[.]$/.test(s) && !/^[A-Z]\.$/.test(s)) return false;
  if (/^[-–—>•]/.test(s)) return false;
  if (/\/\/|@|\bwww\./i.test(s)) return false;
  if (/^\d+$/.test(s)) return false;
  return true;
}

export function isKnownSpeakerPattern(label: string): boolean {
  const s = cleanLabel(label);
  return ROLE_RE.test(s) || SHORT_ID_RE.test(s);
}

/** Lower-case particles allowed inside a personal name ("Ana de la Cruz", "Ludwig van Beethoven"). */
const NAME_PARTICLES = new Set(['de', 'da', 'do', 'dos', 'das', 'del', 'della', 'di', 'du', 'la', 'le', 'van', 'von', 'der', 'den', 'ter', 'bin', 'binti', 'ibn', 'al', 'el', 'y']);
const CAPITALISED_WORD_RE = /^(?:[\p{Lu}\p{Lt}][\p{L}\p{M}\p{N}'’.]*|\d+[\p{L}]*|\([^()]+\))(?:-[\p{L}\d][\p{L}\p{M}\p{N}'’.]*)*$/u;
/** A word of a script without letter case (Han, Kana, Hangul, Arabic, Hebrew, Thai, Devanagari…). */
const CASELESS_WORD_RE = /^\p{Lo}[\p{Lo}\p{Lm}\p{M}\p{N}'’.·・ー-]*$/u;

/**
 * Every word is capitalised, a number, a parenthesised note or written in a
 * script without case ("Jane Doe", "Dr. Amin", "Speaker 2", "王芳"); lower-case
 * name particles are allowed after the first word ("Ana de la Cruz").
 */
export function isNameLike(label: string): boolean {
  const words = cleanLabel(label).split(' ');
  return words.every(
    (w, i) => CAPITALISED_WORD_RE.test(w) || CASELESS_WORD_RE.test(w) || (i > 0 && i < words.length - 1 && NAME_PARTICLES.has(w)),
  );
}

export function isNotALabel(label: string): boolean {
  const k = labelKey(label).replace(/\.$/, '');
  return NOT_LABELS.has(k);
}

export interface LabelEvidence {
  /** How many lines (or cues) of the file start with this label (by `labelKey`). */
  count: number;
  /** Require every word to be capitalised when the evidence is recurrence only. */
  requireNameLike: boolean;
  /**
   * The rest of the document is a dialogue in the same `Name: text` pattern
   * (decided by the caller), so a name-like label seen once is a speaker too.
   */
  dialogue?: boolean;
}

/**
 * The decision rule described in the module comment. `label` must already be
 * cleaned (`cleanLabel`).
 */
export function acceptLabel(label: string, evidence: LabelEvidence): boolean {
  if (!isLabelShaped(label) || isNotALabel(label)) return false;
  if (isKnownSpeakerPattern(label)) return true;
  if (evidence.count < 2) return evidence.dialogue === true && !SINGLE_LETTER_RE.test(label) && isNameLike(label);
  if (SINGLE_LETTER_RE.test(label)) return true;
  return !evidence.requireNameLike || isNameLike(label);
}

/** `[hh:]mm:ss[.mmm]` with optional brackets/parentheses. */
export const TIMESTAMP_SRC = String.raw`[\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])]?`;

/** Milliseconds of a timestamp such as `01:02:03.500`, `2:03`, `[00:01:02]`; null if not one. */
export function timestampToMs(ts: string): number | null {
  const m = /^[\[(]?(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?[\])]?$/.exec(ts.trim());
  if (!m) return null;
  const h = m[1] ? Number(m[1]) : 0;
  const min = Number(m[2]);
  const s = Number(m[3]);
  if (min >= 60 || s >= 60) return null;
  const frac = m[4] ? Number(m[4].padEnd(3, '0')) : 0;
  return ((h * 60 + min) * 60 + s) * 1000 + frac;
}
