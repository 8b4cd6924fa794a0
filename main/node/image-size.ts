/*
 * The pixel size of a PNG or JPEG picture read from its header, so a picture is measured without
 * starting ffprobe.
 */
import { readFile } from 'node:fs/promises';

export interface PictureSize {
  width: number;
  height: number;
}

/** The size in a PNG's IHDR or a JPEG's first start-of-frame segment; null for anything else. */
export function pictureSize(b: Uint8Array): PictureSize | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && view.getUint32(12) === 0x49484452) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (b[0] !== 0xff || b[1] !== 0xd8) return null;
  for (let i = 2; i + 9 < b.length; ) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    // Start-of-frame markers (baseline, progressive...) carry the size; C4, C8 and CC are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: view.getUint16(i + 7), height: view.getUint16(i + 5) };
    }
    i += 2 + view.getUint16(i + 2);
  }
  return null;
}

export async function pictureFileSize(file: string): Promise<PictureSize | null> {
  return pictureSize(await readFile(file));
}
