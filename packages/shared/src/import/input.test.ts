import { describe, expect, it } from 'vitest';
import { MAX_TRANSCRIPT_BYTES, checkTranscriptInput, parseTranscript } from './index.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('checkTranscriptInput', () => {
  it('accepts UTF-8 text and strips a BOM', () => {
    const r = checkTranscriptInput(utf8('\uFEFFInterviewer: Héllo – ça va?\r\n'), 'a.txt');
    expect(r).toEqual({ ok: true, text: 'Interviewer: Héllo – ça va?\r\n', encoding: 'utf-8' });
  });

  it('decodes UTF-16 LE and BE with a BOM', () => {
    const s = 'Interviewer: Grüße 👋\nP1: Hi';
    const le = new Uint8Array(2 + s.length * 2);
    le[0] = 0xff;
    le[1] = 0xfe;
    const be = new Uint8Array(2 + s.length * 2);
    be[0] = 0xfe;
    be[1] = 0xff;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      le[2 + 2 * i] = c & 0xff;
      le[3 + 2 * i] = c >> 8;
      be[2 + 2 * i] = c >> 8;
      be[3 + 2 * i] = c & 0xff;
    }
    expect(checkTranscriptInput(le, 'le.txt')).toEqual({ ok: true, text: s, encoding: 'utf-16le' });
    expect(checkTranscriptInput(be, 'be.txt')).toEqual({ ok: true, text: s, encoding: 'utf-16be' });
  });

  it('empty: no bytes, or only whitespace', () => {
    expect(checkTranscriptInput(new Uint8Array(0), 'e.txt')).toMatchObject({ ok: false, code: 'empty' });
    expect(checkTranscriptInput(utf8(' \r\n\t\n'), 'e.txt')).toMatchObject({ ok: false, code: 'empty' });
    expect(checkTranscriptInput(new Uint8Array([0xef, 0xbb, 0xbf]), 'bom.txt')).toMatchObject({ ok: false, code: 'empty' });
  });

  it('binary: a PNG header, NUL bytes, control characters', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const r = checkTranscriptInput(png, 'photo.txt');
    expect(r).toMatchObject({ ok: false, code: 'binary' });
    expect(!r.ok && r.message).toContain('PNG');
    expect(checkTranscriptInput(utf8('Interviewer: hi\u0000there'), 'n.txt')).toMatchObject({ ok: false, code: 'binary' });
    expect(checkTranscriptInput(utf8('abc\u0001\u0002\u0003\u0004def'), 'c.txt')).toMatchObject({ ok: false, code: 'binary' });
    expect(checkTranscriptInput(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2]), 'x.txt')).toMatchObject({ ok: false, code: 'binary' });
    // A single DOS end-of-file mark in a long text is tolerated.
    expect(checkTranscriptInput(utf8(`${'Interviewer: fine.\n'.repeat(100)}\u001a`), 'dos.txt')).toMatchObject({ ok: true });
  });

  it('too-large: over the limit (default 5 MB, or the given one)', () => {
    expect(MAX_TRANSCRIPT_BYTES).toBe(5 * 1024 * 1024);
    const big = new Uint8Array(MAX_TRANSCRIPT_BYTES + 1).fill(0x61);
    expect(checkTranscriptInput(big, 'big.txt')).toMatchObject({ ok: false, code: 'too-large' });
    expect(checkTranscriptInput(new Uint8Array(MAX_TRANSCRIPT_BYTES).fill(0x61), 'max.txt').ok).toBe(true);
    expect(checkTranscriptInput(utf8('Interviewer: hello'), 'small.txt', 10)).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('unreadable: invalid UTF-8', () => {
    const r = checkTranscriptInput(new Uint8Array([0x49, 0x6e, 0x74, 0x3a, 0x20, 0xc3, 0x28, 0xe9, 0x74, 0xe9]), 'latin1.txt');
    expect(r).toMatchObject({ ok: false, code: 'unreadable' });
    expect(!r.ok && r.message).toContain('latin1.txt');
    // Odd-length UTF-16.
    expect(checkTranscriptInput(new Uint8Array([0xff, 0xfe, 0x41]), 'odd.txt')).toMatchObject({ ok: false, code: 'unreadable' });
  });

  it('feeds parseTranscript', () => {
    const r = checkTranscriptInput(utf8('\uFEFFInterviewer: Hello\r\nP1: Hi\r\n'), 'x.txt');
    expect(r.ok).toBe(true);
    if (r.ok) expect(parseTranscript(r.text).turns).toEqual([
      { speaker: 'Interviewer', text: 'Hello' },
      { speaker: 'P1', text: 'Hi' },
    ]);
  });
});
