import type { InlineCode } from './types.ts';
import { isNotALabel } from './speakers.ts';

/**
 * Existing codings written into a transcript as lines of code names (the
 * export format of e.g. Delve): after a coded paragraph come one or more lines
 * that each hold one code name, possibly separated by blank lines:
 *
 *     It's really more issues. Uh, If you consider the entire system, …
 *
 *     ME-metrics-a-are-poor-proxy-of-quality
 *
 *     Model-Evaluation-issues [ME]
 *
 * `Name [ABBR]` declares ABBR as the abbreviation of code Name; a code whose
 * name starts with `ABBR-` is a child of that code.
 *
 * Telling a code line from a short line of speech ("Thank", "Filters",
 * "So.") is the hard part. The rule, applied to a *run* — the maximal sequence
 * of code-shaped lines, separated only by blank lines, that directly follows a
 * paragraph of content (not a speaker label, not the title):
 *
 * 1. Shape (`parseCodeLine`): one line, ≤ 100 characters, ≤ 6 words, starts
 *    with a letter, no sentence punctuation (`. , ; : ! ? "` or parentheses)
 *    and not an interjection (Yeah, Okay, Thank, …). Speech transcribed by a
 *    tool nearly always carries punctuation; code names never do.
 * 2. Evidence, one of:
 *    a. a line of the run declares an abbreviation (`Name [ABBR]`) or starts
 *       with a declared `ABBR-` prefix — nobody says "[ME]";
 *    b. a line is a code token — one "word" of ≥ 3 parts joined by hyphens or
 *       underscores (`stack-not-standardized`) — AND the run has ≥ 2 lines
 *       or that line occurs ≥ 2 times in the file. A lone hyphenated word
 *       said once ("up-to-date") is not enough; two-part words ("Mm-hmm",
 *       "on-premise") never count as code tokens;
 *    c. every line of the run is a code already established by a run with
 *       evidence (a) or (b) elsewhere in the file.
 *    Weak lines inside a run that has evidence are codes too (`Misc` next to
 *    `Stakeholders-lack-of-knowledge`), and (c) then recognises `Misc` alone.
 *    Mere recurrence of a weak line is deliberately not enough: speech
 *    fragments recur too ("We are not necessarily" twice would become a code
 *    in any file that also has real codes).
 * 3. A run that directly follows a speaker label (or starts the file) has no
 *    paragraph to code, so its first line is taken as content (it is then the
 *    paragraph) — this is what keeps the one-word line "Thank" right after
 *    `## Interviewer 2` in seed 003 as speech.
 */

export interface CodeLine {
  name: string;
  abbreviation: string | null;
}

/** A line that could be a code name (rule 1), or null. */
export function parseCodeLine(line: string): CodeLine | null {
  const s = line.trim();
  if (s.length < 2 || s.length > 100) return null;
  const m = /^(.*?)\s*\[([\p{L}\p{N}_]{1,12})\]$/u.exec(s);
  const name = (m ? m[1]! : s).trim();
  const abbreviation = m ? m[2]! : null;
  if (name.length < 2) return null;
  if (!/^\p{L}/u.test(name)) return null;
  if (/[.,;:!?"“”…()[\]{}<>*#]/u.test(name)) return null;
  if (name.split(/\s+/).length > 6) return null;
  if (isNotALabel(name)) return null;
  return { name, abbreviation };
}

/** One token of ≥ 3 parts joined by `-` or `_` (rule 2b). */
export function isCodeToken(name: string): boolean {
  return /^[\p{L}\p{N}]+(?:[-_][\p{L}\p{N}]+){2,}$/u.test(name);
}

/**
 * Decides which candidate runs are codes (rule 2). `counts` holds, for each
 * code-shaped line of the whole file, how often it occurs as a line (by name).
 */
export function acceptCodeRuns(runs: readonly (readonly CodeLine[])[], counts: ReadonlyMap<string, number>): boolean[] {
  const declared = new Set<string>();
  for (const run of runs) for (const l of run) if (l.abbreviation) declared.add(l.abbreviation);
  const count = (n: string): number => counts.get(n) ?? 0;
  const strong = runs.map((run) =>
    run.some(
      (l) =>
        l.abbreviation !== null ||
        [...declared].some((a) => l.name.startsWith(`${a}-`) && l.name.length > a.length + 1) ||
        (isCodeToken(l.name) && (run.length >= 2 || count(l.name) >= 2)),
    ),
  );
  const established = new Set<string>();
  runs.forEach((run, i) => {
    if (strong[i]) for (const l of run) established.add(l.name);
  });
  return runs.map((run, i) => strong[i]! || (run.length > 0 && run.every((l) => established.has(l.name))));
}

/**
 * Codes in order of first appearance with their abbreviations and parents.
 * A parent is the code that declares the longest abbreviation `A` such that
 * the name starts with `A-`. Conflicts and cycles are reported, not thrown.
 */
export function buildCodeHierarchy(lines: readonly CodeLine[]): { codes: InlineCode[]; warnings: string[] } {
  const warnings: string[] = [];
  const order: string[] = [];
  const abbrOf = new Map<string, string | null>();
  for (const l of lines) {
    if (!abbrOf.has(l.name)) {
      order.push(l.name);
      abbrOf.set(l.name, l.abbreviation);
    } else if (l.abbreviation) {
      const had = abbrOf.get(l.name) ?? null;
      if (had === null) abbrOf.set(l.name, l.abbreviation);
      else if (had !== l.abbreviation) {
        warnings.push(`Code "${l.name}" is written with two abbreviations, [${had}] and [${l.abbreviation}]; kept [${had}].`);
      }
    }
  }
  const ownerOf = new Map<string, string>();
  for (const name of order) {
    const a = abbrOf.get(name) ?? null;
    if (a === null) continue;
    const owner = ownerOf.get(a);
    if (owner === undefined) ownerOf.set(a, name);
    else if (owner !== name) {
      warnings.push(`Abbreviation [${a}] is declared by "${owner}" and "${name}"; "${owner}" keeps it.`);
      abbrOf.set(name, null);
    }
  }
  const parentOf = new Map<string, string | null>();
  for (const name of order) {
    let best: string | null = null;
    let bestLen = 0;
    for (const [a, owner] of ownerOf) {
      if (owner === name) continue;
      if (name.startsWith(`${a}-`) && name.length > a.length + 1 && a.length > bestLen) {
        best = owner;
        bestLen = a.length;
      }
    }
    parentOf.set(name, best);
  }
  // Break cycles (A [X] named "Y-…" and B [Y] named "X-…").
  for (const name of order) {
    const seen = new Set<string>([name]);
    let p = parentOf.get(name) ?? null;
    while (p !== null) {
      if (seen.has(p)) {
        warnings.push(`Codes "${name}" and "${p}" would be each other's ancestors; "${name}" was left without a parent.`);
        parentOf.set(name, null);
        break;
      }
      seen.add(p);
      p = parentOf.get(p) ?? null;
    }
  }
  return {
    codes: order.map((name) => ({ name, abbreviation: abbrOf.get(name) ?? null, parentName: parentOf.get(name) ?? null })),
    warnings,
  };
}
