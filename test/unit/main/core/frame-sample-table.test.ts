import { describe, expect, it } from 'vitest';
import { parseMoov, planFeed, syncAtOrBefore, topLevelBox, type SampleTable } from '../../../../main/core/frame-sample-table.js';

const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const u16 = (v: number) => [(v >>> 8) & 255, v & 255];
const str = (s: string) => [...s].map((c) => c.charCodeAt(0));
function box(type: string, ...body: number[][]): number[] {
  const payload = body.flat();
  return [...u32(8 + payload.length), ...str(type), ...payload];
}
const full = (type: string, ...body: number[][]) => box(type, [0, 0, 0, 0], ...body);

/**
 * A moov of 6 frames in decode order I P B B I P (pts order I B B P I P), in two chunks of 4 and
 * 2 samples at offsets 1000 and 5000, timescale 90000, 3000 ticks a frame, sync at 1 and 5.
 */
function moov(extra: { rotated?: boolean; codec?: string } = {}): Uint8Array {
  const sizes = [100, 20, 10, 11, 21, 12];
  const matrix = extra.rotated ? [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000] : [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000];
  const tkhd = full('tkhd', Array(36).fill(0), matrix.flatMap((v) => u32(v >>> 0)), u32(320 << 16), u32(240 << 16));
  const avcC = box('avcC', [1, 100, 0, 31, 0xff, 0xe1, 0, 0]);
  const entry = box(extra.codec ?? 'avc1', Array(6).fill(0), u16(1), Array(16).fill(0), u16(320), u16(240), Array(50).fill(0), avcC);
  const stbl = box(
    'stbl',
    full('stsd', u32(1), entry),
    full('stts', u32(1), u32(6), u32(3000)),
    // Composition offsets: I +3000, P +9000, B 0, B 0, I +3000, P +3000 -> pts 3000 12000 6000 9000 15000 18000
    full('ctts', u32(4), u32(1), u32(3000), u32(1), u32(9000), u32(2), u32(0), u32(2), u32(3000)),
    full('stss', u32(2), u32(1), u32(5)),
    full('stsz', u32(0), u32(6), ...sizes.map(u32)),
    full('stsc', u32(2), u32(1), u32(4), u32(1), u32(2), u32(2), u32(1)),
    full('stco', u32(2), u32(1000), u32(5000)),
  );
  const mdia = box('mdia', full('mdhd', u32(0), u32(0), u32(90000), u32(18000), u32(0)), full('hdlr', u32(0), str('vide'), Array(12).fill(0)), box('minf', stbl));
  const bytes = box('moov', box('trak', tkhd, mdia));
  return Uint8Array.from(bytes.slice(8));
}

function table(): SampleTable {
  const r = parseMoov(moov());
  if ('unsupported' in r) throw new Error(r.unsupported);
  return r.table;
}

describe('frame sample table', () => {
  it('reads offsets across chunks, decode and presentation times, syncs and the codec record', () => {
    const t = table();
    expect(t.codec).toBe('avc1');
    expect([t.width, t.height, t.timescale]).toEqual([320, 240, 90000]);
    expect(Array.from(t.offsets)).toEqual([1000, 1100, 1120, 1130, 5000, 5021]);
    expect(Array.from(t.dts)).toEqual([0, 3000, 6000, 9000, 12000, 15000]);
    expect(Array.from(t.pts)).toEqual([3000, 12000, 6000, 9000, 15000, 18000]);
    expect(Array.from(t.syncs)).toEqual([0, 4]);
    expect(Array.from(t.byPresentation)).toEqual([0, 2, 3, 1, 4, 5]);
    expect(t.reorderDepth).toBe(1);
    expect(Array.from(t.config)).toEqual([1, 100, 0, 31, 0xff, 0xe1, 0, 0]);
  });

  it('declines what a warm decoder cannot take', () => {
    expect(parseMoov(moov({ rotated: true }))).toEqual({ unsupported: 'a rotated picture' });
    expect(parseMoov(moov({ codec: 'hvc1' }))).toEqual({ unsupported: 'the codec hvc1' });
    expect(parseMoov(Uint8Array.from(box('mvex')))).toEqual({ unsupported: 'a fragmented MP4' });
  });

  it('plans a feed from the sync sample before, or on from where the decoder stands', () => {
    const t = table();
    expect(syncAtOrBefore(t, 3)).toBe(0);
    expect(syncAtOrBefore(t, 5)).toBe(4);
    // Presentation rank 2 is decode index 3: fed from the keyframe, B-frames and their P included.
    expect(planFeed(t, 2, { next: null })).toEqual({ target: 3, from: 0, seek: true });
    expect(planFeed(t, 2, { next: 2 })).toEqual({ target: 3, from: 2, seek: false });
    // The decoder is past it: back to the keyframe.
    expect(planFeed(t, 1, { next: 3 })).toEqual({ target: 2, from: 0, seek: true });
    // Another GOP: its own keyframe, not decoding through.
    expect(planFeed(t, 5, { next: 2 })).toEqual({ target: 5, from: 4, seek: true });
    expect(planFeed(t, 5, { next: 5 })).toEqual({ target: 5, from: 5, seek: false });
    expect(planFeed(t, 9, { next: null })).toBeNull();
  });

  it('refuses frames shown before their keyframe (an open GOP)', () => {
    const t = table();
    const pts = Float64Array.from([3000, 12000, 6000, 9000, 15000, 14000]);
    const open: SampleTable = { ...t, pts, byPresentation: Uint32Array.from([0, 2, 3, 1, 5, 4]) };
    // Decode index 5 (rank 4) is shown before the keyframe at 4, which it follows in the file.
    expect(planFeed(open, 4, { next: null })).toBeNull();
    expect(planFeed(open, 5, { next: null })).toEqual({ target: 4, from: 4, seek: true });
  });

  it('finds top-level boxes, 64-bit sizes included', () => {
    expect(topLevelBox(Uint8Array.from([...u32(24), ...str('ftyp')]), 0, 100)).toEqual({ type: 'ftyp', offset: 0, size: 24 });
    expect(topLevelBox(Uint8Array.from([...u32(1), ...str('mdat'), ...u32(0), ...u32(40)]), 24, 100)).toEqual({ type: 'mdat', offset: 24, size: 40 });
    expect(topLevelBox(Uint8Array.from([...u32(0), ...str('moov')]), 60, 100)).toEqual({ type: 'moov', offset: 60, size: 40 });
    expect(topLevelBox(Uint8Array.from([...u32(500), ...str('moov')]), 60, 100)).toBeNull();
  });
});
