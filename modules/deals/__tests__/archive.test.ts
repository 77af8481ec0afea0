import { describe, expect, it } from 'vitest';
import { archiveRefusal, archivedRefusal } from '../gate.ts';
import { csvFormatOf, neutralise } from '../export.ts';

describe('archive rules', () => {
  it('refuses every other command while archived; a state without the key (older histories) is live', () => {
    expect(archivedRefusal({ id: 'd', archived: true })?.code).toBe('DEAL_ARCHIVED');
    expect(archivedRefusal({ id: 'd' })).toBeNull();
    expect(archivedRefusal({ id: 'd', archived: false })).toBeNull();
  });

  it('archives a live deal and restores an archived one, nothing else', () => {
    expect(archiveRefusal({ id: 'd' }, true)).toBeNull();
    expect(archiveRefusal({ id: 'd', archived: true }, true)?.code).toBe('DEAL_ARCHIVED');
    expect(archiveRefusal({ id: 'd', archived: true }, false)).toBeNull();
    expect(archiveRefusal({ id: 'd' }, false)?.code).toBe('DEAL_NOT_ARCHIVED');
  });
});

describe('CSV cells', () => {
  it('keeps a cell a spreadsheet would run as a formula as text', () => {
    for (const cell of ['=1+1', '+7 495', '-2', '@SUM(A1)', '\t=1', '\r=1']) expect(neutralise(cell)).toBe(`'${cell}`);
    for (const cell of ['Forklifts', '1500.50', '', ' =not first', 'a=b']) expect(neutralise(cell)).toBe(cell);
  });

  it('separates by `;` with a decimal comma in Russian, by `,` with a point otherwise', () => {
    expect(csvFormatOf('ru')).toEqual({ delimiter: ';', decimal: ',' });
    expect(csvFormatOf('en')).toEqual({ delimiter: ',', decimal: '.' });
  });
});
