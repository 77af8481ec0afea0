import { describe, expect, it } from 'vitest';
import { attachmentDisposition, storedFileName } from '../names.ts';

describe('stored file names', () => {
  it('keep Cyrillic, emoji and composed accents as sent (NFC)', () => {
    expect(storedFileName('договор.txt')).toBe('договор.txt');
    expect(storedFileName('😀 offer.pdf')).toBe('😀 offer.pdf');
    expect(storedFileName('Cafe\u0301.txt')).toBe('Café.txt');
  });

  it('lose bidi controls, control characters, lone surrogates and any folder part', () => {
    expect(storedFileName('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
    expect(storedFileName('a\u2066b\u2069\u200F.txt')).toBe('ab.txt');
    expect(storedFileName('evil\u0000\u0007.txt')).toBe('evil.txt');
    expect(storedFileName('x\uD83D.txt')).toBe('x.txt');
    expect(storedFileName('../../etc/passwd')).toBe('passwd');
    expect(storedFileName('C:\\Users\\me\\offer.docx')).toBe('offer.docx');
  });

  it('are at most 255 code points, never split inside a surrogate pair, and never empty', () => {
    const long = storedFileName('😀'.repeat(300));
    expect(Array.from(long)).toHaveLength(255);
    expect(long).toBe('😀'.repeat(255));
    expect(storedFileName('')).toBe('file');
    expect(storedFileName('\u202E')).toBe('file');
    expect(storedFileName(undefined)).toBe('file');
  });
});

describe('download disposition', () => {
  it('sends filename* in UTF-8 and an ASCII fallback', () => {
    const d = attachmentDisposition('договор 1.txt');
    expect(d).toContain("filename*=UTF-8''%D0%B4%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%201.txt");
    expect(d).toMatch(/^attachment; filename="[\x20-\x7E]+"/);
    expect(attachmentDisposition('plain.txt')).toBe('attachment; filename=plain.txt');
    expect(attachmentDisposition('a"b.txt')).toBe('attachment; filename="a\\"b.txt"');
  });
});
