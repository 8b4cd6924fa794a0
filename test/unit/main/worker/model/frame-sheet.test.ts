import { describe, expect, it } from 'vitest';
import { composeSheet, sheetLayout } from '../../../../../main/worker/model/frame-sheet.js';
import { toChat } from '../../../../../main/worker/model/vlm-turn.js';

describe('frames tiled into one picture (models that take one picture per prompt)', () => {
  it('lays tiles out close to square, within the width limit and never larger than the frames', () => {
    expect(sheetLayout(16, 16 / 9, 1344)).toMatchObject({ columns: 3, rows: 6, tileWidth: 448, tileHeight: 252, width: 1344, height: 1512 });
    expect(sheetLayout(1, 16 / 9, 1344, 320)).toMatchObject({ columns: 1, rows: 1, tileWidth: 320, tileHeight: 180 });
    expect(sheetLayout(2, 4 / 3, 1344)).toMatchObject({ columns: 2, rows: 1 });
    const many = sheetLayout(40, 16 / 9, 1344);
    expect(many.columns * many.rows).toBeGreaterThanOrEqual(40);
    expect(many.width).toBeLessThanOrEqual(1344);
  });

  it('copies each tile to its cell in order, on a dark background', () => {
    const layout = sheetLayout(3, 2, 8); // 2 columns of 4×2 tiles (at least 64 wide is the floor)
    const tile = (v: number) => ({ data: new Uint8Array(layout.tileWidth * layout.tileHeight * 3).fill(v), width: layout.tileWidth, height: layout.tileHeight, channels: 3 });
    const sheet = composeSheet([tile(100), tile(150), tile(200)], layout);
    const at = (x: number, y: number) => sheet[(y * layout.width + x) * 3];
    expect(layout.columns).toBe(2);
    expect(at(0, 0)).toBe(100);
    expect(at(layout.tileWidth, 0)).toBe(150);
    expect(at(0, layout.tileHeight)).toBe(200);
    expect(at(layout.tileWidth, layout.tileHeight)).toBe(32); // the empty cell
  });

  it('keeps one picture in the chat and points later frames at their tiles', () => {
    const messages = [
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'Frame at 00:00:01:' }, { type: 'image' as const, file: 'a.png' }, { type: 'image' as const, file: 'b.png' }] },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'ok' }] },
      { role: 'user' as const, content: [{ type: 'image' as const, file: 'c.png' }] },
    ];
    const many = toChat(messages);
    expect(many.images).toEqual(['a.png', 'b.png', 'c.png']);
    expect(many.chat[0]!.content.filter((p) => p.type === 'image')).toHaveLength(2);
    const one = toChat(messages, true);
    expect(one.images).toEqual(['a.png', 'b.png', 'c.png']);
    const parts = one.chat.flatMap((m) => m.content);
    expect(parts.filter((p) => p.type === 'image')).toHaveLength(1);
    expect(parts).toContainEqual({ type: 'text', text: '(tile 2 of the picture)' });
    expect(parts).toContainEqual({ type: 'text', text: '(tile 3 of the picture)' });
    expect(JSON.stringify(one.chat[0]!.content[1])).toMatch(/tiled left to right/);
  });
});
