import { describe, expect, it } from 'vitest';
import { caseNameFrom, orderParts } from '../../../../../main/host/cases/import-service.js';

describe('naming a case after its recordings', () => {
  it('drops the part number of one file', () => {
    expect(caseNameFrom(['/r/Lap chole part 1.mp4'])).toBe('Lap chole');
    expect(caseNameFrom(['/r/Lap_chole_01.mp4'])).toBe('Lap_chole');
    expect(caseNameFrom(['/r/sigmoid-segment3.mkv'])).toBe('sigmoid');
  });

  it('keeps a number that belongs to the name', () => {
    expect(caseNameFrom(['/r/endo-mpeg2.ts'])).toBe('endo-mpeg2');
    expect(caseNameFrom(['/r/OR3.mp4'])).toBe('OR3');
  });

  it('uses what the parts have in common', () => {
    expect(caseNameFrom(['/r/OR3_2024-05-02_001.ts', '/r/OR3_2024-05-02_002.ts'])).toBe('OR3_2024-05-02');
    expect(caseNameFrom(['/r/Lap chole part 1.mp4', '/r/Lap chole part 2.mp4'])).toBe('Lap chole');
    expect(caseNameFrom(['/r/case 12.mp4', '/r/case 13.mp4'])).toBe('case');
  });

  it('falls back to the first name when the parts share nothing', () => {
    expect(caseNameFrom(['/r/a.mp4', '/r/b.mp4'])).toBe('a');
  });

  it('orders parts by natural name, then creation time', () => {
    const parts = [
      { path: '/r/x part10.mp4', creationTime: null },
      { path: '/r/x part2.mp4', creationTime: null },
      { path: '/r/y.mp4', creationTime: '2024-01-02T00:00:00Z' },
      { path: '/r/y.mp4', creationTime: '2024-01-01T00:00:00Z' },
    ];
    expect(orderParts(parts).map((p) => `${p.path} ${p.creationTime ?? ''}`)).toEqual([
      '/r/x part2.mp4 ',
      '/r/x part10.mp4 ',
      '/r/y.mp4 2024-01-01T00:00:00Z',
      '/r/y.mp4 2024-01-02T00:00:00Z',
    ]);
  });
});
