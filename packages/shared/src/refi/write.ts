/** REFI-QDA 1.5 export: project (.qdpx) and codebook (.qdc). */
import { RefiError } from './errors.ts';
import { toRefiGuid } from './guid.ts';
import type { QdaCode, QdaNote, QdaProject, QdaSelection, QdaSource, QdaUser, QdaWriteOptions, WriteQdcOptions } from './model.ts';
import { codePointLength, encodeUtf8, sliceCodePoints } from './unicode.ts';
import { attrs, escapeText } from './xml.ts';
import { writeZip } from './zip.ts';

export const PROJECT_NS = 'urn:QDA-XML:project:1.0';
export const CODEBOOK_NS = 'urn:QDA-XML:codebook:1.0';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const PROJECT_SCHEMA_LOCATION = `${PROJECT_NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd`;
const CODEBOOK_SCHEMA_LOCATION = `${CODEBOOK_NS} http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd`;

/** xsd:dateTime without milliseconds, UTC. */
function xsdDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const XSD_DATETIME_RE = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** A model timestamp as xsd:dateTime, or undefined when it cannot be expressed. */
function toXsdDateTime(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  if (XSD_DATETIME_RE.test(value)) return value;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : xsdDateTime(new Date(t));
}

function color(value: string | null): string | undefined {
  if (!value) return undefined;
  return /^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$/.test(value) ? value.toLowerCase() : undefined;
}

/** Depth-first code tree in model order; codes with a missing parent (or in a cycle) become top-level. */
function codeTree(codes: readonly QdaCode[]): { roots: QdaCode[]; kids: Map<string, QdaCode[]> } {
  const byGuid = new Map(codes.map((c) => [c.guid, c]));
  const kids = new Map<string, QdaCode[]>();
  const roots: QdaCode[] = [];
  const reachesRoot = (c: QdaCode): boolean => {
    const seen = new Set<string>([c.guid]);
    let p = c.parentGuid;
    while (p !== null) {
      if (seen.has(p)) return false;
      seen.add(p);
      const parent = byGuid.get(p);
      if (!parent) return false;
      p = parent.parentGuid;
    }
    return true;
  };
  for (const c of codes) {
    if (c.parentGuid !== null && byGuid.has(c.parentGuid) && reachesRoot(c)) {
      const list = kids.get(c.parentGuid) ?? [];
      list.push(c);
      kids.set(c.parentGuid, list);
    } else {
      roots.push(c);
    }
  }
  return { roots, kids };
}

function codesXml(codes: readonly QdaCode[], indent: string): string {
  const { roots, kids } = codeTree(codes);
  const seen = new Set<string>();
  const render = (c: QdaCode, pad: string): string => {
    if (seen.has(c.guid)) return '';
    seen.add(c.guid);
    const open = `${pad}<Code${attrs([
      ['guid', toRefiGuid(c.guid)],
      ['name', c.name],
      ['isCodable', c.isCodable ? 'true' : 'false'],
      ['color', color(c.color)],
    ])}`;
    const inner: string[] = [];
    if (c.description) inner.push(`${pad}  <Description>${escapeText(c.description)}</Description>`);
    for (const k of kids.get(c.guid) ?? []) {
      const r = render(k, `${pad}  `);
      if (r) inner.push(r);
    }
    return inner.length ? `${open}>\n${inner.join('\n')}\n${pad}</Code>` : `${open}/>`;
  };
  return roots.map((c) => render(c, indent)).filter(Boolean).join('\n');
}

function usersXml(users: readonly QdaUser[]): string {
  const lines = users.map((u) => `    <User${attrs([['guid', toRefiGuid(u.guid)], ['name', u.name], ['id', u.email]])}/>`);
  return `  <Users>\n${lines.join('\n')}\n  </Users>`;
}

function selectionName(source: QdaSource, sel: QdaSelection): string {
  const len = codePointLength(source.text);
  const s = Math.max(0, Math.min(sel.start, len));
  const e = Math.max(s, Math.min(sel.end, len));
  const excerpt = sliceCodePoints(source.text, s, Math.min(e, s + 200)).replace(/\s+/g, ' ').trim();
  const cps = [...excerpt];
  return cps.length > 60 ? `${cps.slice(0, 59).join('')}…` : excerpt;
}

function noteRefs(notes: readonly QdaNote[] | undefined, pad: string): string[] {
  return (notes ?? []).map((n) => `${pad}<NoteRef targetGUID="${toRefiGuid(n.guid)}"/>`);
}

function sourceXml(source: QdaSource, codeGuids: ReadonlySet<string>, notesByTarget: ReadonlyMap<string, QdaNote[]>): string {
  const guid = toRefiGuid(source.guid);
  const inner: string[] = [];
  if (source.description) inner.push(`      <Description>${escapeText(source.description)}</Description>`);
  for (const sel of source.selections) {
    const selInner: string[] = [];
    if (sel.memo) selInner.push(`        <Description>${escapeText(sel.memo)}</Description>`);
    for (const coding of sel.codes) {
      if (!codeGuids.has(coding.codeGuid)) continue; // dangling reference: other tools reject it
      selInner.push(
        `        <Coding${attrs([['guid', toRefiGuid(coding.guid)], ['creatingUser', coding.creatorGuid === null ? undefined : toRefiGuid(coding.creatorGuid)]])}>` +
          `<CodeRef targetGUID="${toRefiGuid(coding.codeGuid)}"/></Coding>`,
      );
    }
    selInner.push(...noteRefs(notesByTarget.get(sel.guid), '        '));
    const open = `      <PlainTextSelection${attrs([
      ['guid', toRefiGuid(sel.guid)],
      ['name', selectionName(source, sel)],
      ['startPosition', sel.start],
      ['endPosition', sel.end],
      ['creatingUser', sel.creatorGuid === null ? undefined : toRefiGuid(sel.creatorGuid)],
      ['creationDateTime', toXsdDateTime(sel.createdAt)],
    ])}`;
    inner.push(selInner.length ? `${open}>\n${selInner.join('\n')}\n      </PlainTextSelection>` : `${open}/>`);
  }
  inner.push(...noteRefs(notesByTarget.get(source.guid), '      '));
  const open = `    <TextSource${attrs([['guid', guid], ['name', source.name], ['plainTextPath', `internal://${guid}.txt`]])}`;
  return inner.length ? `${open}>\n${inner.join('\n')}\n    </TextSource>` : `${open}/>`;
}

function noteXml(note: QdaNote): string {
  const inner: string[] = [];
  if (note.quote) inner.push(`      <Description>${escapeText(note.quote)}</Description>`);
  inner.push(`      <PlainTextContent>${escapeText(note.text)}</PlainTextContent>`);
  return `    <Note${attrs([
    ['guid', toRefiGuid(note.guid)],
    ['name', note.name],
    ['creatingUser', note.creatorGuid === null ? undefined : toRefiGuid(note.creatorGuid)],
    ['creationDateTime', toXsdDateTime(note.createdAt)],
  ])}>\n${inner.join('\n')}\n    </Note>`;
}

/** The project.qde document of a project (UTF-8 XML text). */
export function projectXml(project: QdaProject, options: QdaWriteOptions = {}): string {
  const now = options.now ?? new Date();
  const parts: string[] = [];
  parts.push('<?xml version="1.0" encoding="utf-8"?>');
  parts.push(
    `<Project${attrs([
      ['xmlns', PROJECT_NS],
      ['xmlns:xsi', XSI_NS],
      ['xsi:schemaLocation', PROJECT_SCHEMA_LOCATION],
      ['name', project.name],
      ['origin', project.origin],
      ['creationDateTime', xsdDateTime(now)],
    ])}>`,
  );
  if (project.users.length) parts.push(usersXml(project.users));
  if (project.codes.length) parts.push(`  <CodeBook>\n    <Codes>\n${codesXml(project.codes, '      ')}\n    </Codes>\n  </CodeBook>`);

  const selectionGuids = new Set(project.sources.flatMap((s) => s.selections.map((x) => x.guid)));
  const sourceGuids = new Set(project.sources.map((s) => s.guid));
  const notesByTarget = new Map<string, QdaNote[]>();
  for (const n of project.notes) {
    if (n.targetGuid === null || !(selectionGuids.has(n.targetGuid) || sourceGuids.has(n.targetGuid))) continue;
    const list = notesByTarget.get(n.targetGuid) ?? [];
    list.push(n);
    notesByTarget.set(n.targetGuid, list);
  }
  const codeGuids = new Set(project.codes.map((c) => c.guid));
  if (project.sources.length) {
    parts.push(`  <Sources>\n${project.sources.map((s) => sourceXml(s, codeGuids, notesByTarget)).join('\n')}\n  </Sources>`);
  }
  if (project.notes.length) parts.push(`  <Notes>\n${project.notes.map(noteXml).join('\n')}\n  </Notes>`);
  parts.push('</Project>');
  return parts.join('\n') + '\n';
}

/**
 * A REFI-QDA 1.5 project archive (.qdpx): `project.qde` plus one UTF-8
 * `Sources/<guid>.txt` per text source. Positions are written as code points.
 */
export function writeQdpx(project: QdaProject, options: QdaWriteOptions = {}): Uint8Array {
  const now = options.now ?? new Date();
  const files: Array<readonly [string, Uint8Array]> = [['project.qde', encodeUtf8(projectXml(project, { now }))]];
  const written = new Set<string>();
  for (const s of project.sources) {
    const path = `Sources/${toRefiGuid(s.guid)}.txt`;
    if (written.has(path)) continue;
    written.add(path);
    files.push([path, encodeUtf8(s.text)]);
  }
  return writeZip(files, now);
}

/** The .qdc codebook document (UTF-8 XML text). */
export function codebookXml(codes: readonly QdaCode[], options: WriteQdcOptions = {}): string {
  if (!codes.length) throw new RefiError('empty-codebook', 'The codebook has no codes; a REFI-QDA codebook needs at least one code.');
  return (
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      `<CodeBook${attrs([
        ['xmlns', CODEBOOK_NS],
        ['xmlns:xsi', XSI_NS],
        ['xsi:schemaLocation', CODEBOOK_SCHEMA_LOCATION],
        ['origin', options.origin ?? 'Concord'],
      ])}>`,
      '  <Codes>',
      codesXml(codes, '    '),
      '  </Codes>',
      '</CodeBook>',
    ].join('\n') + '\n'
  );
}

/**
 * A REFI-QDA codebook (.qdc) as UTF-8 bytes. `users` is accepted for symmetry
 * with projects, but the Codebook schema has no place for users, so they are
 * not written.
 */
export function writeQdc(codes: readonly QdaCode[], users?: readonly QdaUser[], options: WriteQdcOptions = {}): Uint8Array {
  void users;
  return encodeUtf8(codebookXml(codes, options));
}
