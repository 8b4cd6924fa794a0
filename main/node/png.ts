import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, deflate as deflateCb } from 'node:zlib';

const deflate = promisify(deflateCb);

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

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * An RGB24 image as PNG. Rows use the "sub" filter (neighbouring pixels of video are alike, so
 * the differences compress well) and the fastest deflate level: frames are written on the path
 * a model or a clinician is waiting on, and stay lossless. Deflate runs on libuv's thread pool,
 * so frames decoded in parallel are also compressed in parallel.
 */
export async function encodePng(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  const stride = width * 3;
  if (rgb.length !== stride * height) throw new RangeError('pixel data does not match the image size');
  const filtered = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const src = y * stride;
    const dst = y * (stride + 1);
    filtered[dst] = 1;
    for (let i = 0; i < 3 && i < stride; i++) filtered[dst + 1 + i] = rgb[src + i]!;
    for (let i = 3; i < stride; i++) filtered[dst + 1 + i] = (rgb[src + i]! - rgb[src + i - 3]!) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bits per channel
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', await deflate(filtered, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
