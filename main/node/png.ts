import { open } from 'node:fs/promises';

/** Width and height from a PNG's IHDR chunk; null when the file is not a PNG. */
export async function pngSize(file: string): Promise<{ width: number; height: number } | null> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(24);
    const { bytesRead } = await fh.read(buf, 0, 24, 0);
    if (bytesRead < 24 || buf.readUInt32BE(12) !== 0x49484452) return null;
    return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  } finally {
    await fh.close();
  }
}
