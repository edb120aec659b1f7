import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COEFFICIENT_LABELS, conventionAgreement, CONVENTIONS, type Coefficient, type Convention } from './conventions.ts';
import { formatCoefficient } from './report-file.ts';
import { FIXTURE } from './test-fixture.ts';

/** The side-by-side table of docs/agreement.md, computed from the fixture: the page must show these numbers. */
function docsTable(coders: string[]): string[] {
  const order: Convention[] = ['words', 'characters', 'presence', 'frequency', 'overlap', 'alpha-family'];
  const coefs: Coefficient[] = ['percent', 'cohen', 'scott', 'fleiss', 'brennanPrediger', 'gwet', 'alpha', 'uAlpha', 'binaryAlpha', 'cuAlpha'];
  const lines = [
    `| convention (tool) | n | ${coefs.map((c) => COEFFICIENT_LABELS[c].replace(/\|/g, '\\|')).join(' | ')} |`,
    `| --- | ---: | ${coefs.map(() => '---:').join(' | ')} |`,
  ];
  for (const conv of order) {
    const r = conventionAgreement([FIXTURE], coders, conv, { overlap: 60, bootstrap: { samples: 0 } });
    const label = `${CONVENTIONS[conv].label}${conv === 'overlap' ? ' ≥ 60 %' : ''} (${CONVENTIONS[conv].tool})`;
    lines.push(`| ${label} | ${r.overall.n} | ${coefs.map((c) => (r.overall.figures[c] ? formatCoefficient(r.overall.figures[c]!.value) : '')).join(' | ')} |`);
  }
  return lines;
}

describe('docs/agreement.md', () => {
  it('shows the fixture’s figures under each convention as computed, for two and for three coders', () => {
    const doc = fs.readFileSync(new URL('../../../../docs/agreement.md', import.meta.url), 'utf8');
    for (const line of [...docsTable(['A', 'B']), ...docsTable(['A', 'B', 'C'])]) expect(doc, line).toContain(line);
  });
});

export { docsTable };
