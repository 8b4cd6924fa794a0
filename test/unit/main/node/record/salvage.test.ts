import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { salvagedPath, scanMp4 } from '../../../../../main/node/record/salvage.js';

function box(type: string, bodyBytes: number): Buffer {
  const b = Buffer.alloc(8 + bodyBytes);
  b.writeUInt32BE(8 + bodyBytes, 0);
  b.write(type, 4, 'latin1');
  return b;
}

describe('reading the layout of a recorded segment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opscope-salvage-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, data: Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const head = Buffer.concat([box('ftyp', 16), box('moov', 700)]);
  const fragment = (n: number) => Buffer.concat([box('moof', 196), box('mdat', n)]);

  it('counts complete fragments and says a closed segment is complete', async () => {
    const whole = Buffer.concat([head, fragment(1000), fragment(2000), box('mfra', 60)]);
    const layout = await scanMp4(file('whole.mp4', whole));
    expect(layout).toMatchObject({ hasMoov: true, fragments: 2, complete: true, size: whole.length });
    expect(layout!.fragmentsEnd).toBe(head.length + 204 + 1008 + 204 + 2008);
    expect(layout!.boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'moof', 'mdat', 'moof', 'mdat', 'mfra']);
  });

  it('stops at a box cut short and keeps the fragments before it', async () => {
    const whole = Buffer.concat([head, fragment(1000), fragment(2000)]);
    const cut = await scanMp4(file('cut.mp4', whole.subarray(0, whole.length - 500)));
    expect(cut).toMatchObject({ fragments: 1, complete: false, fragmentsEnd: head.length + 1212 });
    // A moof whose mdat never came is not a fragment, and the file is not complete.
    const dangling = await scanMp4(file('dangling.mp4', Buffer.concat([head, fragment(1000), box('moof', 196)])));
    expect(dangling).toMatchObject({ fragments: 1, complete: false });
    // A killed recorder between fragments leaves every box whole: complete, without the trailer.
    expect(await scanMp4(file('killed.mp4', Buffer.concat([head, fragment(10)])))).toMatchObject({ fragments: 1, complete: true });
  });

  it('has no moov when cut inside it, and no layout for what is not an MP4', async () => {
    expect(await scanMp4(file('tiny.mp4', head.subarray(0, 300)))).toMatchObject({ hasMoov: false, fragments: 0, complete: false });
    expect(await scanMp4(file('ts.mp4', Buffer.alloc(188 * 4, 0x47)))).toBeNull();
    expect(await scanMp4(file('empty.mp4', Buffer.alloc(0)))).toBeNull();
    const large = Buffer.alloc(16);
    large.writeUInt32BE(1, 0);
    large.write('mdat', 4, 'latin1');
    large.writeBigUInt64BE(1n << 33n, 8);
    expect(await scanMp4(file('large.mp4', Buffer.concat([head, large])))).toMatchObject({ boxes: [{ type: 'ftyp' }, { type: 'moov' }], complete: false });
  });

  it('names the salvaged copy beside the segment', () => {
    expect(salvagedPath('/r/seg-00003.mp4')).toBe('/r/seg-00003.salvaged.mp4');
    expect(salvagedPath('/r/old.ts')).toBe('/r/old.salvaged.mp4');
  });
});
