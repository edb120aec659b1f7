/** REFI-QDA import: project archives (.qdpx) and codebooks (.qdc) written by other tools. */
import { RefiError } from './errors.ts';
import { guidFromString, normalizeGuid } from './guid.ts';
import {
  DEFAULT_LIMITS,
  SPEAKER_LABELS_NOTE,
  type QdaCode,
  type QdaCodebookReport,
  type QdaCoding,
  type QdaImportReport,
  type QdaNote,
  type QdaSelection,
  type QdaSource,
  type QdaUser,
  type ReadQdpxOptions,
  type RefiLimits,
} from './model.ts';
import {
  decodeText,
  normalizeNewlines,
  resolvePositions,
  textStats,
  type PositionConvention,
  type ResolvedPosition,
} from './unicode.ts';
import { child, childrenNamed, parseXml, rootNamespace, type XNode } from './xml.ts';
import { openZip, type ZipArchive, type ZipEntry } from './zip.ts';
import { CODEBOOK_NS, PROJECT_NS } from './write.ts';

// ------------------------------------------------------------------ helpers

function q(s: string): string {
  return `"${s}"`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listSome(items: readonly string[], max = 5, quote = true): string {
  const shown = items.slice(0, max).map((s) => (quote ? q(s) : s)).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

function parseBool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  const t = v.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return dflt;
}

function parseIntStrict(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

function parseColor(v: string | undefined): { color: string | null; bad: boolean } {
  if (v === undefined || v.trim() === '') return { color: null, bad: false };
  const t = v.trim();
  const m6 = /^#?([0-9a-fA-F]{6})$/.exec(t);
  if (m6?.[1]) return { color: `#${m6[1].toLowerCase()}`, bad: false };
  const m3 = /^#?([0-9a-fA-F]{3})$/.exec(t);
  if (m3?.[1]) return { color: `#${[...m3[1].toLowerCase()].map((c) => c + c).join('')}`, bad: false };
  return { color: null, bad: true };
}

function attrOrNull(node: XNode, name: string): string | null {
  const v = node.attrs[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function guidAttr(node: XNode, name: string): string | null {
  const v = attrOrNull(node, name);
  return v === null ? null : normalizeGuid(v);
}

/** `<Description>` text with surrounding whitespace (pretty-printing, trailing newlines) removed; line ends LF. */
function descriptionOf(node: XNode): string | undefined {
  const d = child(node, 'Description');
  return d ? normalizeNewlines(d.text).trim() : undefined;
}

function basename(path: string): string {
  const p = path.replace(/\\/g, '/');
  return p.slice(p.lastIndexOf('/') + 1);
}

function stripExtension(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(0, i) : name;
}

const BOUNDARY_RE = /[\s\p{P}\p{S}]/u;

function isBoundary(cps: readonly string[], pos: number, isStart: boolean): boolean {
  if (pos <= 0 || pos >= cps.length) return true;
  const before = cps[pos - 1] ?? '';
  const at = cps[pos] ?? '';
  return isStart ? BOUNDARY_RE.test(before) || BOUNDARY_RE.test(at) : BOUNDARY_RE.test(at) || BOUNDARY_RE.test(before);
}

const CONVENTION_WORDS: Record<PositionConvention, string> = {
  codepoints: 'Unicode characters (the REFI-QDA standard)',
  'codepoints-crlf1': 'Unicode characters with each Windows line break (CR+LF) counted once, as ATLAS.ti does',
  utf16: 'UTF-16 code units, as NVivo for Windows does (emoji and other rare characters count twice)',
  'utf16-crlf1': 'UTF-16 code units with each Windows line break counted once',
};

interface RawSelection {
  node: XNode;
  guid: string;
  start: number;
  end: number;
}

interface ConventionChoice {
  convention: PositionConvention;
  map: Map<number, ResolvedPosition>;
  /** True when another convention was plausible and the choice was not the standard one. */
  nonStandard: boolean;
  splits: number;
}

/**
 * Picks how the selection positions of one source were counted. Candidates
 * that fit all selections win; then fewer positions that cut a character in
 * half (inside a surrogate pair); then more selections starting and ending at
 * word boundaries; ties go to the tool's known habit, then to the standard.
 * `nonStandard` is set only when the choice actually moves a selection.
 */
function chooseConvention(raw: string, sels: readonly RawSelection[], hint: PositionConvention | null): ConventionChoice {
  const positions = sels.flatMap((s) => [s.start, s.end]);
  const stats = textStats(raw);
  const candidates: PositionConvention[] = ['codepoints'];
  if (stats.hasAstral) candidates.push('utf16');
  if (stats.hasCrlf) candidates.push('codepoints-crlf1');
  if (stats.hasAstral && stats.hasCrlf) candidates.push('utf16-crlf1');
  if (hint && candidates.includes(hint)) {
    candidates.splice(candidates.indexOf(hint), 1);
    candidates.unshift(hint);
  }
  const first = candidates[0] ?? 'codepoints';
  if (candidates.length === 1 || sels.length === 0) {
    return { convention: first, map: resolvePositions(raw, first, positions), nonStandard: false, splits: 0 };
  }
  const cps = Array.from(normalizeNewlines(raw));
  let best: { c: PositionConvention; map: Map<number, ResolvedPosition>; key: number[] } | null = null;
  let standard: Map<number, ResolvedPosition> | null = null;
  for (const c of candidates) {
    const map = resolvePositions(raw, c, positions);
    if (c === 'codepoints') standard = map;
    let fitting = 0;
    let splits = 0;
    let boundaries = 0;
    for (const s of sels) {
      const a = map.get(s.start);
      const b = map.get(s.end);
      if (!a || !b) continue;
      fitting++;
      splits += (a.split === 'surrogate' ? 1 : 0) + (b.split === 'surrogate' ? 1 : 0);
      boundaries += (isBoundary(cps, a.pos, true) ? 1 : 0) + (isBoundary(cps, b.pos, false) ? 1 : 0);
    }
    const key = [fitting, -splits, boundaries];
    if (best === null || compareKeys(key, best.key) > 0) best = { c, map, key };
  }
  const chosen = best ?? { c: first, map: resolvePositions(raw, first, positions), key: [0, 0, 0] };
  const moved = chosen.c !== 'codepoints' && positions.some((p) => chosen.map.get(p)?.pos !== standard?.get(p)?.pos);
  return { convention: chosen.c, map: chosen.map, nonStandard: moved, splits: -(chosen.key[1] ?? 0) };
}

function compareKeys(x: readonly number[], y: readonly number[]): number {
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function conventionHint(origin: string): PositionConvention | null {
  if (/atlas\.?ti/i.test(origin)) return 'codepoints-crlf1';
  if (/nvivo/i.test(origin) && !/mac/i.test(origin)) return 'utf16';
  return null;
}

// ------------------------------------------------------------------ context

type NoteLinkKind = 'selection' | 'source' | 'code' | 'project';

interface NoteLink {
  kind: NoteLinkKind;
  target: string | null;
  label: string;
}

class Importer {
  readonly warnings: string[] = [];
  readonly usedEntries = new Set<ZipEntry>();
  readonly codes: QdaCode[] = [];
  readonly codeByGuid = new Map<string, QdaCode>();
  readonly noteLinks = new Map<string, NoteLink[]>();
  readonly extraNotes: QdaNote[] = [];
  private readonly seenGuids = new Set<string>();

  constructor(
    readonly origin: string,
    readonly zip: ZipArchive | null,
    readonly base: string,
    readonly options: ReadQdpxOptions,
  ) {}

  warn(msg: string): void {
    this.warnings.push(msg);
  }

  /** A normalised GUID for an element, generated (with a warning) when missing or already used. */
  guidFor(node: XNode, what: string, salt: string): string {
    const g = guidAttr(node, 'guid');
    if (g === null) {
      const made = guidFromString(`missing:${salt}`);
      this.warn(`${what} had no GUID; one was made up for it.`);
      this.seenGuids.add(made);
      return made;
    }
    if (this.seenGuids.has(g)) {
      const made = guidFromString(`duplicate:${g}:${salt}`);
      this.warn(`${what} reuses the GUID ${g} of another item; it was given a new one, and references to ${g} point to the first item.`);
      this.seenGuids.add(made);
      return made;
    }
    this.seenGuids.add(g);
    return g;
  }

  linkNotes(node: XNode, kind: NoteLinkKind, target: string | null, label: string): void {
    for (const ref of childrenNamed(node, 'NoteRef')) {
      const g = guidAttr(ref, 'targetGUID');
      if (g === null) continue;
      const list = this.noteLinks.get(g) ?? [];
      list.push({ kind, target, label });
      this.noteLinks.set(g, list);
    }
  }

  // -------------------------------------------------------------- files

  /** Entry for a path from the project file (`internal://x`, `x`, `sources/x`), case-insensitively. */
  findFile(path: string): ZipEntry | undefined {
    if (!this.zip) return undefined;
    const p = path.replace(/^internal:\/\//i, '').replace(/\\/g, '/').replace(/^\/+/, '');
    const tries = [`${this.base}sources/${p}`, `${this.base}${p}`, `${this.base}sources/${basename(p)}`];
    for (const t of tries) {
      const e = this.zip.find(t);
      if (e) return e;
    }
    return undefined;
  }

  readTextFile(entry: ZipEntry, what: string): string {
    if (!this.zip) return '';
    this.usedEntries.add(entry);
    const { text, lossy } = decodeText(this.zip.read(entry));
    if (lossy) this.warn(`${what}: the text file is not valid UTF-8; unreadable characters were replaced with "\ufffd".`);
    return text;
  }

  /** Text of a TextSourceType element (source, note, representation): inline or from the archive. */
  textOf(node: XNode, what: string): { text: string | null; problem: string | null } {
    const inline = child(node, 'PlainTextContent');
    if (inline) return { text: inline.text, problem: null };
    const path = attrOrNull(node, 'plainTextPath');
    if (path === null) return { text: null, problem: 'the project file gives neither its text nor a path to it' };
    if (/^(relative|absolute|file):\/\//i.test(path) || /^[a-z]:[\\/]/i.test(path) || path.startsWith('/')) {
      return { text: null, problem: `its text is stored outside the archive (${path}) and is not included` };
    }
    const entry = this.findFile(path);
    if (!entry) return { text: null, problem: `its text file ${q(path)} is missing from the archive` };
    return { text: this.readTextFile(entry, what), problem: null };
  }

  // -------------------------------------------------------------- codes

  readCodes(nodes: readonly XNode[], parentGuid: string | null, path: string): void {
    let i = 0;
    for (const node of nodes) {
      if (node.name !== 'Code') continue;
      i++;
      const name = node.attrs['name'] ?? '';
      const label = `Code ${q(name || '(unnamed)')}`;
      const guid = this.guidFor(node, label, `${path}/${i}`);
      const { color, bad } = parseColor(node.attrs['color']);
      if (bad) this.warn(`${label}: its colour ${q(node.attrs['color'] ?? '')} is not a #rrggbb colour and was dropped.`);
      const code: QdaCode = {
        guid,
        name,
        color,
        description: descriptionOf(node) ?? '',
        parentGuid,
        isCodable: parseBool(node.attrs['isCodable'], true),
      };
      this.codes.push(code);
      this.codeByGuid.set(guid, code);
      this.linkNotes(node, 'code', guid, label);
      this.readCodes(node.children, guid, `${path}/${i}`);
    }
  }

  // -------------------------------------------------------------- sources

  async readTextSource(node: XNode, guid: string, name: string): Promise<QdaSource> {
    const pathName = attrOrNull(node, 'plainTextPath');
    const label = `Source ${q(name)}`;
    const { text: found, problem } = this.textOf(node, label);
    let raw = found;

    // Word file beside (NVivo writes a near-empty .txt and the real text as .docx)
    const rich = attrOrNull(node, 'richTextPath');
    let docx: ZipEntry | undefined = rich ? this.findFile(rich) : undefined;
    if (!docx && pathName) docx = this.findFile(`${stripExtension(pathName.replace(/^internal:\/\//i, ''))}.docx`);
    if (docx) this.usedEntries.add(docx);
    if ((raw === null || raw.trim() === '') && docx && this.zip) {
      if (this.options.extractDocx) {
        const bytes = this.zip.read(docx); // archive problems (bombs, damage) abort the import
        try {
          raw = String(await this.options.extractDocx(bytes));
        } catch (e) {
          const msg = e instanceof RefiError ? e.message : e instanceof Error ? e.message : String(e);
          this.warn(`${label}: the text could not be taken from its Word file (${docx.name}): ${msg}. The source was imported without text.`);
          raw = '';
        }
      } else {
        this.warn(
          `${label}: the file holds this text only as a Word document (${basename(docx.name)}) and its plain-text copy is empty; ` +
            'Concord could not read the Word document here, so the source was imported without text. Convert it to plain text and import it again.',
        );
        raw = '';
      }
    } else if (raw === null) {
      this.warn(`${label}: ${problem ?? 'its text is missing'}; the source was imported without text.`);
    }
    raw = (raw ?? '').replace(/^\ufeff/, '');

    // selections
    const rawSels: RawSelection[] = [];
    let badPositions = 0;
    let sIdx = 0;
    for (const sel of childrenNamed(node, 'PlainTextSelection')) {
      sIdx++;
      const start = parseIntStrict(sel.attrs['startPosition']);
      const end = parseIntStrict(sel.attrs['endPosition']);
      if (start === null || end === null || start < 0 || end < start) {
        badPositions++;
        continue;
      }
      rawSels.push({ node: sel, guid: this.guidFor(sel, `${label}: selection ${q(sel.attrs['name'] ?? String(sIdx))}`, `${guid}/sel/${sIdx}`), start, end });
    }
    if (badPositions) this.warn(`${label}: ${plural(badPositions, 'selection')} with missing or reversed positions could not be imported.`);

    const choice = chooseConvention(raw, rawSels, conventionHint(this.origin));
    if (choice.nonStandard) {
      this.warn(`${label}: selection positions were read as ${CONVENTION_WORDS[choice.convention]}, because that is how they fit the text; check a few coded passages.`);
    }
    if (choice.splits) {
      this.warn(`${label}: ${plural(choice.splits, 'selection boundary', 'selection boundaries')} fell inside a character (between the halves of an emoji or similar) and ${choice.splits === 1 ? 'was' : 'were'} moved to the next character.`);
    }

    const selections: QdaSelection[] = [];
    const outOfRange: string[] = [];
    let missingCodeRefs = 0;
    const missingCodeGuids = new Set<string>();
    for (const rs of rawSels) {
      const a = choice.map.get(rs.start);
      const b = choice.map.get(rs.end);
      if (!a || !b) {
        outOfRange.push(rs.node.attrs['name'] ?? rs.guid);
        continue;
      }
      const codes: QdaCoding[] = [];
      let cIdx = 0;
      for (const coding of childrenNamed(rs.node, 'Coding')) {
        cIdx++;
        const ref = child(coding, 'CodeRef');
        const codeGuid = ref ? guidAttr(ref, 'targetGUID') : null;
        if (codeGuid === null || !this.codeByGuid.has(codeGuid)) {
          missingCodeRefs++;
          if (codeGuid) missingCodeGuids.add(codeGuid);
          continue;
        }
        codes.push({
          guid: guidAttr(coding, 'guid') ?? guidFromString(`coding:${rs.guid}:${cIdx}`),
          codeGuid,
          creatorGuid: guidAttr(coding, 'creatingUser'),
        });
        this.linkNotes(coding, 'selection', rs.guid, `a coding in ${label}`);
      }
      const memo = descriptionOf(rs.node);
      const selection: QdaSelection = {
        guid: rs.guid,
        start: a.pos,
        end: b.pos,
        creatorGuid: guidAttr(rs.node, 'creatingUser'),
        createdAt: attrOrNull(rs.node, 'creationDateTime'),
        codes,
      };
      if (memo !== undefined && memo !== '') selection.memo = memo;
      selections.push(selection);
      this.linkNotes(rs.node, 'selection', rs.guid, `a selection in ${label}`);
    }
    if (outOfRange.length) {
      this.warn(
        `${label}: ${plural(outOfRange.length, 'selection')} (${listSome(outOfRange, 3)}) ${outOfRange.length === 1 ? 'lies' : 'lie'} outside the source text and could not be imported.`,
      );
    }
    if (missingCodeRefs) {
      this.warn(
        `${label}: ${plural(missingCodeRefs, 'coding')} ${missingCodeRefs === 1 ? 'refers to a code that is' : 'refer to codes that are'} not in the codebook${
          missingCodeGuids.size ? ` (${listSome([...missingCodeGuids], 3)})` : ''
        } and ${missingCodeRefs === 1 ? 'was' : 'were'} not imported.`,
      );
    }

    const wholeCodings = childrenNamed(node, 'Coding').length;
    if (wholeCodings) this.warn(`${label}: ${plural(wholeCodings, 'coding')} of the whole document (not of a passage) could not be imported.`);
    const vars = childrenNamed(node, 'VariableValue').length;
    if (vars) this.warn(`${label}: ${plural(vars, 'variable value')} could not be imported (Concord has no variables).`);
    this.linkNotes(node, 'source', guid, label);
    const desc = descriptionOf(node);
    // Concord's declaration of its speaker labels is read with the text, not kept as a note.
    const labels = desc?.startsWith(SPEAKER_LABELS_NOTE) === true;
    if (desc !== undefined && desc.trim() !== '' && !labels) {
      this.extraNotes.push({
        guid: guidFromString(`source-description:${guid}`),
        name: `Description of ${name}`,
        text: desc,
        creatorGuid: guidAttr(node, 'creatingUser'),
        createdAt: null,
        targetGuid: guid,
      });
    }
    return { guid, name, text: normalizeNewlines(raw), selections, ...(desc ? { description: desc } : {}) };
  }

  async readSources(sourcesNode: XNode): Promise<QdaSource[]> {
    const out: QdaSource[] = [];
    let i = 0;
    for (const node of sourcesNode.children) {
      i++;
      const name = attrOrNull(node, 'name');
      const kindWord: Record<string, string> = {
        PDFSource: 'PDF',
        PictureSource: 'picture',
        AudioSource: 'audio',
        VideoSource: 'video',
      };
      if (node.name === 'TextSource') {
        const guid = this.guidFor(node, `Source ${q(name ?? String(i))}`, `source/${i}`);
        const fallback = name ?? stripExtension(basename(attrOrNull(node, 'plainTextPath') ?? guid));
        out.push(await this.readTextSource(node, guid, fallback));
        continue;
      }
      const kind = kindWord[node.name];
      if (!kind) {
        this.warn(`An unknown kind of source (<${node.name}>${name ? ` ${q(name)}` : ''}) could not be imported.`);
        continue;
      }
      const label = `Source ${q(name ?? String(i))} (${kind})`;
      const guid = this.guidFor(node, label, `source/${i}`);
      const mediaPath = attrOrNull(node, 'path');
      const media = mediaPath ? this.findFile(mediaPath) : undefined;
      if (media) this.usedEntries.add(media);
      if (node.name === 'PDFSource') {
        const rep = child(node, 'Representation');
        const areas = childrenNamed(node, 'PDFSelection').length;
        if (rep) {
          const src = await this.readTextSource(rep, guid, name ?? attrOrNull(rep, 'name') ?? guid);
          this.warn(
            `${label}: imported as its plain-text version${areas ? `; ${plural(areas, 'coded PDF area')} could not be imported` : ''}.`,
          );
          this.linkNotes(node, 'source', guid, label);
          out.push(src);
        } else {
          this.warn(`${label}: PDF documents cannot be imported${areas ? ` (with ${plural(areas, 'coded area')})` : ''}; the file has no plain-text version of it.`);
        }
        continue;
      }
      if (node.name === 'AudioSource' || node.name === 'VideoSource') {
        const segments = childrenNamed(node, node.name === 'AudioSource' ? 'AudioSelection' : 'VideoSelection').length;
        const transcripts = childrenNamed(node, 'Transcript');
        if (!transcripts.length) {
          this.warn(`${label}: ${kind} recordings cannot be imported and it has no transcript${segments ? ` (${plural(segments, 'coded segment')} lost)` : ''}.`);
          continue;
        }
        let t = 0;
        for (const tr of transcripts) {
          t++;
          const trGuid = this.guidFor(tr, `${label}: transcript ${t}`, `source/${i}/tr/${t}`);
          const trName = attrOrNull(tr, 'name') ?? (transcripts.length > 1 ? `${name ?? guid} (transcript ${t})` : (name ?? guid));
          out.push(await this.readTranscript(tr, trGuid, trName));
        }
        this.warn(`${label}: only the transcript was imported, not the recording${segments ? `; ${plural(segments, 'coded time segment')} could not be imported` : ''}.`);
        continue;
      }
      const areas = childrenNamed(node, 'PictureSelection').length;
      this.warn(`${label}: pictures cannot be imported${areas ? ` (with ${plural(areas, 'coded area')})` : ''}.`);
    }
    return out;
  }

  async readTranscript(tr: XNode, guid: string, name: string): Promise<QdaSource> {
    const label = `Transcript ${q(name)}`;
    const { text, problem } = this.textOf(tr, label);
    if (text === null) this.warn(`${label}: ${problem ?? 'its text is missing'}; imported without text.`);
    const raw = (text ?? '').replace(/^\ufeff/, '');
    const sync = new Map<string, number>();
    for (const sp of childrenNamed(tr, 'SyncPoint')) {
      const g = guidAttr(sp, 'guid');
      const p = parseIntStrict(sp.attrs['position']);
      if (g !== null && p !== null) sync.set(g, p);
    }
    const rawSels: RawSelection[] = [];
    let unplaced = 0;
    let k = 0;
    for (const ts of childrenNamed(tr, 'TranscriptSelection')) {
      k++;
      const from = guidAttr(ts, 'fromSyncPoint');
      const to = guidAttr(ts, 'toSyncPoint');
      const start = from === null ? undefined : sync.get(from);
      const end = to === null ? undefined : sync.get(to);
      if (start === undefined || end === undefined || end < start) {
        unplaced++;
        continue;
      }
      rawSels.push({ node: ts, guid: this.guidFor(ts, `${label}: selection ${k}`, `${guid}/ts/${k}`), start, end });
    }
    if (unplaced) this.warn(`${label}: ${plural(unplaced, 'coded passage')} without text positions could not be imported.`);
    // Re-use the text-source path by feeding the placed selections as PlainTextSelections.
    const synthetic: XNode = {
      name: 'TextSource',
      attrs: { guid, name },
      text: '',
      children: [
        { name: 'PlainTextContent', attrs: {}, children: [], text: raw },
        ...rawSels.map((s) => ({
          ...s.node,
          name: 'PlainTextSelection',
          attrs: { ...s.node.attrs, guid: s.guid, startPosition: String(s.start), endPosition: String(s.end) },
        })),
        ...childrenNamed(tr, 'NoteRef'),
      ],
    };
    for (const s of rawSels) this.seenGuids.delete(s.guid);
    return this.readTextSource(synthetic, guid, name);
  }

  // -------------------------------------------------------------- notes

  readNotes(notesNode: XNode | undefined, selectionGuids: ReadonlySet<string>, sourceGuids: ReadonlySet<string>): QdaNote[] {
    const notes: QdaNote[] = [];
    const known = new Set<string>();
    let i = 0;
    for (const node of notesNode ? childrenNamed(notesNode, 'Note') : []) {
      i++;
      const name = attrOrNull(node, 'name') ?? `Note ${i}`;
      const label = `Note ${q(name)}`;
      const guid = this.guidFor(node, label, `note/${i}`);
      known.add(guid);
      const { text, problem } = this.textOf(node, label);
      if (text === null) this.warn(`${label}: ${problem ?? 'its text is missing'}; imported without text.`);
      const codedInNote = childrenNamed(node, 'PlainTextSelection').length;
      if (codedInNote) this.warn(`${label}: ${plural(codedInNote, 'coded passage')} inside the note could not be imported.`);

      const links = this.noteLinks.get(guid) ?? [];
      let targetGuid: string | null = null;
      const usable = links.filter(
        (l) => l.target !== null && ((l.kind === 'selection' && selectionGuids.has(l.target)) || (l.kind === 'source' && sourceGuids.has(l.target))),
      );
      if (usable[0]) targetGuid = usable[0].target;
      const lost = links.filter((l) => l !== usable[0] && l.kind !== 'project');
      if (lost.length) {
        const where = lost.map((l) => (l.kind === 'selection' || l.kind === 'source' ? `${l.label} (not imported or already linked)` : l.label));
        this.warn(
          `${label}: its link${lost.length > 1 ? 's' : ''} to ${listSome(where, 3, false)} could not be kept (Concord attaches a note to one passage or source)${
            targetGuid === null ? '; it was imported as a free-standing note' : ''
          }.`,
        );
      }
      const note: QdaNote = {
        guid,
        name,
        text: normalizeNewlines((text ?? '').replace(/^\ufeff/, '')),
        creatorGuid: guidAttr(node, 'creatingUser'),
        createdAt: attrOrNull(node, 'creationDateTime'),
        targetGuid,
      };
      const quote = descriptionOf(node);
      if (quote !== undefined && quote !== '') note.quote = quote;
      notes.push(note);
    }
    const dangling = [...this.noteLinks.keys()].filter((g) => !known.has(g));
    if (dangling.length) this.warn(`${plural(dangling.length, 'note reference')} point to notes that are not in the file and were ignored.`);
    return notes;
  }
}

// ------------------------------------------------------------------ entry points

function findProjectEntry(zip: ZipArchive): ZipEntry {
  const direct = zip.find('project.qde');
  if (direct) return direct;
  const files = zip.entries.filter((e) => !e.isDirectory);
  const qde = files.filter((e) => basename(e.name).toLowerCase() === 'project.qde');
  if (qde.length === 1 && qde[0]) return qde[0];
  const anyQde = files.filter((e) => e.name.toLowerCase().endsWith('.qde') && !e.name.includes('/'));
  if (anyQde.length === 1 && anyQde[0]) return anyQde[0];
  throw new RefiError(
    'missing-project',
    'This zip archive is not a REFI-QDA project: it has no project.qde file. Export the project from your QDA software as "REFI-QDA project (.qdpx)".',
  );
}

function countWarnings(root: XNode, imp: Importer): void {
  const sets = child(root, 'Sets');
  if (sets) {
    const names = childrenNamed(sets, 'Set').map((s) => s.attrs['name'] ?? '(unnamed)');
    imp.warn(`${plural(names.length, 'set')} (${listSome(names)}) could not be imported: Concord has no sets.`);
  }
  const variables = child(root, 'Variables');
  if (variables) {
    const names = childrenNamed(variables, 'Variable').map((s) => s.attrs['name'] ?? '(unnamed)');
    imp.warn(`${plural(names.length, 'variable')} (${listSome(names)}) could not be imported: Concord has no variables.`);
  }
  const cases = child(root, 'Cases');
  if (cases) {
    const names = childrenNamed(cases, 'Case').map((s) => s.attrs['name'] ?? '(unnamed)');
    imp.warn(`${plural(names.length, 'case')} (${listSome(names)}) could not be imported: Concord has no cases.`);
  }
  const links = child(root, 'Links');
  if (links) imp.warn(`${plural(childrenNamed(links, 'Link').length, 'link')} between items could not be imported.`);
  const graphs = child(root, 'Graphs');
  if (graphs) imp.warn(`${plural(childrenNamed(graphs, 'Graph').length, 'graph')} (network views) could not be imported.`);
}

/**
 * Reads a REFI-QDA project archive. Throws RefiError for input that cannot be
 * imported at all; everything else that could not be imported is listed in
 * `warnings`.
 */
export async function readQdpx(bytes: Uint8Array, options: ReadQdpxOptions = {}): Promise<QdaImportReport> {
  const limits: RefiLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const zip = openZip(bytes, limits);
  const qdeEntry = findProjectEntry(zip);
  const base = qdeEntry.name.includes('/') ? qdeEntry.name.slice(0, qdeEntry.name.lastIndexOf('/') + 1) : '';
  const decoded = decodeText(zip.read(qdeEntry));
  const root = parseXml(decoded.text, 'project file (project.qde)');
  if (root.name !== 'Project') {
    throw new RefiError('not-refi', `This is not a REFI-QDA project: project.qde starts with <${root.name}> instead of <Project>.`);
  }
  const origin = attrOrNull(root, 'origin') ?? '';
  const imp = new Importer(origin, zip, base, options);
  imp.usedEntries.add(qdeEntry);
  if (decoded.lossy) imp.warn('The project file is not valid UTF-8; unreadable characters were replaced with "\ufffd".');
  const ns = rootNamespace(root);
  if (ns !== PROJECT_NS) imp.warn(`The project file does not use the REFI-QDA namespace (${ns ?? 'none'}); it was read anyway.`);

  const users: QdaUser[] = [];
  const userGuids = new Set<string>();
  const usersNode = child(root, 'Users');
  let u = 0;
  for (const node of usersNode ? childrenNamed(usersNode, 'User') : []) {
    u++;
    const guid = guidAttr(node, 'guid');
    if (guid === null) {
      imp.warn(`User ${q(node.attrs['name'] ?? String(u))} has no GUID and was skipped.`);
      continue;
    }
    if (userGuids.has(guid)) continue;
    userGuids.add(guid);
    const user: QdaUser = { guid, name: node.attrs['name'] ?? '' };
    const id = attrOrNull(node, 'id');
    if (id !== null && /^[^@\s]+@[^@\s]+$/.test(id)) user.email = id;
    users.push(user);
  }

  const codebook = child(root, 'CodeBook');
  const codesNode = codebook ? child(codebook, 'Codes') : undefined;
  if (codesNode) imp.readCodes(codesNode.children, null, 'codes');

  const sourcesNode = child(root, 'Sources');
  const sources = sourcesNode ? await imp.readSources(sourcesNode) : [];
  const selectionGuids = new Set(sources.flatMap((s) => s.selections.map((x) => x.guid)));
  const sourceGuids = new Set(sources.map((s) => s.guid));
  imp.linkNotes(root, 'project', null, 'the project');
  const notes = imp.readNotes(child(root, 'Notes'), selectionGuids, sourceGuids);
  const projectDescription = descriptionOf(root);
  if (projectDescription !== undefined && projectDescription.trim() !== '') {
    notes.push({
      guid: guidFromString('project-description'),
      name: 'Project description',
      text: normalizeNewlines(projectDescription),
      creatorGuid: guidAttr(root, 'creatingUserGUID'),
      createdAt: null,
      targetGuid: null,
    });
  }
  notes.push(...imp.extraNotes);
  countWarnings(root, imp);

  const unused = zip.entries
    .filter((e) => !e.isDirectory && !imp.usedEntries.has(e) && !basename(e.name).startsWith('.'))
    .filter((e) => e.uncompressedSize > 0)
    .map((e) => e.name);
  if (unused.length) imp.warn(`${plural(unused.length, 'file')} in the archive that the project does not refer to ${unused.length === 1 ? 'was' : 'were'} ignored: ${listSome(unused)}.`);

  return {
    project: { name: root.attrs['name'] ?? '', origin, users, codes: imp.codes, sources, notes },
    warnings: imp.warnings,
  };
}

/** Reads a REFI-QDA codebook (.qdc) from bytes or text. A project.qde is accepted too (its codebook is read). */
export function readQdc(input: Uint8Array | string): QdaCodebookReport {
  const xml = typeof input === 'string' ? input : decodeText(input).text;
  const root = parseXml(xml, 'codebook file');
  const imp = new Importer('', null, '', {});
  let codesParent: XNode | undefined;
  if (root.name === 'CodeBook') {
    codesParent = child(root, 'Codes');
    const ns = rootNamespace(root);
    if (ns !== CODEBOOK_NS) imp.warn(`The codebook does not use the REFI-QDA codebook namespace (${ns ?? 'none'}); it was read anyway.`);
    const sets = child(root, 'Sets');
    if (sets) {
      const names = childrenNamed(sets, 'Set').map((s) => s.attrs['name'] ?? '(unnamed)');
      imp.warn(`${plural(names.length, 'set')} (${listSome(names)}) could not be imported: Concord has no sets.`);
    }
  } else if (root.name === 'Project') {
    const cb = child(root, 'CodeBook');
    codesParent = cb ? child(cb, 'Codes') : undefined;
    imp.warn('This is a project file, not a codebook; only its codes were read.');
  } else {
    throw new RefiError('not-refi', `This is not a REFI-QDA codebook: it starts with <${root.name}> instead of <CodeBook>.`);
  }
  if (codesParent) imp.readCodes(codesParent.children, null, 'codes');
  const origin = attrOrNull(root, 'origin') ?? '';
  return { origin, codes: imp.codes, warnings: imp.warnings };
}
