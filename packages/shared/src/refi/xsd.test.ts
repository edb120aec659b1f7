/**
 * Schema validation of what we export, with libxml2 (xmllint-wasm).
 *
 * fixtures/Project.xsd is REFI-QDA Project.xsd v1.0 copied verbatim from
 * openqda/refi-tools (validators/javascript/schema.xsd). fixtures/Codebook.xsd
 * is the Codebook.xsd v1.0 text from the standard (as hard-coded by QualCoder),
 * with copy-from-PDF damage repaired; see the comment at its top.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { codebookXml, projectXml, readQdpx, writeQdpx } from './index.ts';
import { makeProject } from './fixtures/project.ts';

const projectXsd = readFileSync(new URL('./fixtures/Project.xsd', import.meta.url), 'utf8');
const codebookXsd = readFileSync(new URL('./fixtures/Codebook.xsd', import.meta.url), 'utf8');
const SAMPLES = new URL('../../../../seeds/refi-samples/', import.meta.url);

async function validate(xml: string, xsd: string, fileName = 'doc.xml') {
  const r = await validateXML({ xml: [{ fileName, contents: xml }], schema: [xsd], maxMemoryPages: 4096 });
  return { valid: r.valid, errors: r.errors.map((e) => e.message) };
}

function qdeOf(zip: Uint8Array): string {
  const f = unzipSync(zip)['project.qde'];
  if (!f) throw new Error('no project.qde');
  return new TextDecoder().decode(f);
}

describe('XSD validation (xmllint-wasm)', () => {
  test('the fixture schemas accept the real samples (sanity check of the XSD file)', async () => {
    for (const name of ['atlasti-23.qdpx', 'maxqda-24.qdpx', 'nvivo-mac-15.qdpx', 'qc-demo.qdpx']) {
      const xml = qdeOf(new Uint8Array(readFileSync(new URL(name, SAMPLES))));
      expect(await validate(xml, projectXsd, name), name).toEqual({ valid: true, errors: [] });
    }
  });

  test('exported project.qde is valid against Project.xsd', async () => {
    const xml = qdeOf(writeQdpx(makeProject()));
    expect(await validate(xml, projectXsd)).toEqual({ valid: true, errors: [] });
  });

  test('re-exports of every imported sample are valid against Project.xsd', async () => {
    for (const name of ['atlasti-23.qdpx', 'maxqda-24.qdpx', 'nvivo-mac-15.qdpx', 'qc-demo.qdpx']) {
      const { project } = await readQdpx(new Uint8Array(readFileSync(new URL(name, SAMPLES))));
      expect(await validate(projectXml(project), projectXsd, name), name).toEqual({ valid: true, errors: [] });
    }
  });

  test('exported .qdc is valid against Codebook.xsd', async () => {
    expect(await validate(codebookXml(makeProject().codes), codebookXsd)).toEqual({ valid: true, errors: [] });
  });

  test('validation fails for deliberately broken documents', async () => {
    const good = projectXml(makeProject());
    // 1. element order: Notes before Sources violates the sequence
    const notes = /\n {2}<Notes>[\s\S]*<\/Notes>/.exec(good)?.[0] ?? '';
    const reordered = good.replace(notes, '').replace('\n  <Sources>', `${notes}\n  <Sources>`);
    expect(reordered).not.toBe(good);
    const r1 = await validate(reordered, projectXsd);
    expect(r1.valid).toBe(false);
    expect(r1.errors.join('\n')).toMatch(/Sources/);
    // 2. a GUID that does not match the pattern
    const r2 = await validate(good.replace('guid="11111111-2222-4333-8444-555555555555"', 'guid="not-a-guid"'), projectXsd);
    expect(r2.valid).toBe(false);
    expect(r2.errors.join('\n')).toMatch(/GUIDType|pattern/);
    // 3. codebook: a missing required attribute
    const r3 = await validate(codebookXml(makeProject().codes).replace(' isCodable="true"', ''), codebookXsd);
    expect(r3.valid).toBe(false);
    expect(r3.errors.join('\n')).toMatch(/isCodable/);
  });
});
