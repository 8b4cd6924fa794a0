import { existsSync } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isCanceled } from '../../core/errors.js';
import { inputPath, runFfmpeg, runFfprobe } from '../ffmpeg/run.js';

/** The top-level boxes of an MP4 file as far as they are complete, and what they say about it. */
export interface Mp4Layout {
  size: number;
  boxes: { type: string; start: number; size: number }[];
  hasMoov: boolean;
  /** Fragments (moof followed by its mdat) written completely. */
  fragments: number;
  /** Where the last complete fragment ends: everything before plays; 0 when no fragment is complete. */
  fragmentsEnd: number;
  /** Every box is complete, the boxes fill the file exactly, and every moof has its mdat. */
  complete: boolean;
}

/** Box types that may open an ISO base media (MP4) file. */
const FIRST_BOXES = new Set(['ftyp', 'styp', 'moov', 'free', 'skip', 'wide', 'mdat', 'pdin', 'sidx']);

/**
 * Walks the top-level boxes of an MP4 file, reading only their headers. Null when the file is not
 * an MP4 (or too short to tell).
 */
export async function scanMp4(file: string): Promise<Mp4Layout | null> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(16);
    const layout: Mp4Layout = { size, boxes: [], hasMoov: false, fragments: 0, fragmentsEnd: 0, complete: false };
    let offset = 0;
    let pendingMoof = false;
    while (offset < size) {
      const { bytesRead } = await fh.read(head, 0, 16, offset);
      if (bytesRead < 8) break;
      let boxSize = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (!/^[\x20-\x7e]{4}$/.test(type)) break;
      if (layout.boxes.length === 0 && !FIRST_BOXES.has(type)) return null;
      if (boxSize === 1) {
        if (bytesRead < 16) break;
        boxSize = Number(head.readBigUInt64BE(8));
      } else if (boxSize === 0) {
        // "To the end of the file": what a writer leaves before it knows the size, so not complete.
        break;
      }
      if (boxSize < 8 || offset + boxSize > size) break;
      layout.boxes.push({ type, start: offset, size: boxSize });
      if (type === 'moov') layout.hasMoov = true;
      if (type === 'moof') pendingMoof = true;
      else if (type === 'mdat' && pendingMoof) {
        pendingMoof = false;
        layout.fragments++;
        layout.fragmentsEnd = offset + boxSize;
      }
      offset += boxSize;
    }
    if (layout.boxes.length === 0) return null;
    layout.complete = offset === size && !pendingMoof;
    return layout;
  } finally {
    await fh.close();
  }
}

/** The duration ffprobe reads from a file in seconds; null when it cannot read one. */
export async function probeDuration(file: string, opts: { signal?: AbortSignal } = {}): Promise<number | null> {
  try {
    const { stdout } = await runFfprobe(
      ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,duration', '-of', 'json', inputPath(file)],
      { timeoutMs: 30_000, purpose: `reading ${basename(file)}`, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const data = JSON.parse(stdout.toString('utf8')) as { format?: { duration?: string }; streams?: { codec_type?: string; duration?: string }[] };
    const video = data.streams?.find((s) => s.codec_type === 'video');
    if (!video) return null;
    const d = Number(data.format?.duration ?? video.duration);
    return Number.isFinite(d) && d > 0 ? d : null;
  } catch (err) {
    if (isCanceled(err)) throw err;
    return null;
  }
}

/**
 * Whether a segment is whole: for an MP4, every box complete and every fragment with its data
 * (one cut mid-write may still be read by ffprobe, its last fragment claiming frames that are
 * not there); and ffprobe reads a video duration from it.
 */
export async function isSegmentIntact(file: string, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
  return (await intactDuration(file, opts)) !== null;
}

async function intactDuration(file: string, opts: { signal?: AbortSignal }): Promise<number | null> {
  const layout = await scanMp4(file).catch(() => null);
  if (layout && !(layout.complete && layout.hasMoov)) return null;
  return probeDuration(file, opts);
}

/** Where the salvaged copy of a segment goes: `<name>.salvaged.mp4` beside it. */
export function salvagedPath(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.salvaged.mp4`);
}

/**
 * The playable part of a segment that may have been cut mid-write (a crash, a kill, a full disk).
 * An intact segment is itself the answer. Otherwise the complete fragments it holds are copied
 * (no re-encoding) into `<name>.salvaged.mp4` beside it, written under a temporary name and then
 * renamed, so a salvaged file is always whole; an earlier salvage is reused. Null when nothing
 * playable is left. The segment itself is never changed.
 */
export async function salvageSegment(file: string, opts: { signal?: AbortSignal } = {}): Promise<{ file: string; duration: number } | null> {
  const intact = await intactDuration(file, opts);
  if (intact !== null) return { file, duration: intact };
  const out = salvagedPath(file);
  if (existsSync(out)) {
    const earlier = await intactDuration(out, opts);
    if (earlier !== null) return { file: out, duration: earlier };
  }

  const layout = await scanMp4(file).catch(() => null);
  if (layout && !layout.hasMoov) return null;
  if (layout && layout.fragments === 0 && layout.boxes.some((b) => b.type === 'moof')) return null;
  const whole = inputPath(resolve(file));
  // Only the complete fragments are read (the subfile protocol ends the input there), so the cut
  // fragment's half-written frames never reach the copy.
  const inputs = layout && layout.fragments > 0 ? [`subfile,,start,0,end,${layout.fragmentsEnd},,:${whole}`, whole] : [whole];
  const tmp = `${out}.tmp`;
  const bytes = (await stat(file)).size;
  try {
    for (const input of inputs) {
      await unlink(tmp).catch(() => undefined);
      try {
        await runFfmpeg(
          ['-v', 'error', '-y', '-i', input, '-map', '0:v:0', '-map', '0:a?', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', inputPath(tmp)],
          { timeoutMs: 60_000 + bytes / 20_000, purpose: `salvaging ${basename(file)}`, ...(opts.signal ? { signal: opts.signal } : {}) },
        );
      } catch (err) {
        if (isCanceled(err)) throw err;
        // A build without the subfile protocol: the whole file, ffmpeg stops where it cannot read.
        continue;
      }
      const duration = await probeDuration(tmp, opts);
      if (duration === null) return null;
      await rename(tmp, out);
      return { file: out, duration };
    }
    return null;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
