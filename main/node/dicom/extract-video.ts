import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { OpscopeError } from '../../core/errors.js';
import { detectBitstream } from '../../core/dicom/bitstream.js';
import type { DicomInstanceInfo } from '../../core/dicom/instance.js';
import { describeSyntax } from '../../core/dicom/transfer-syntax.js';
import { runFfmpeg } from '../ffmpeg/run.js';
import { writeWhole } from '../whole-file.js';
import { readDicomVideo } from './read-instance.js';

/** The remuxed video of an instance, named by its SOP Instance UID (a UID is digits and dots). */
export function extractedPath(cacheDir: string, sopInstanceUid: string): string {
  if (!/^[0-9.]{1,64}$/.test(sopInstanceUid)) throw new OpscopeError('unsupported-media', `The SOP Instance UID "${sopInstanceUid.slice(0, 70)}" is not a DICOM UID.`);
  return join(cacheDir, `${sopInstanceUid}.mp4`);
}

/**
 * The instance's bit stream as an MP4 that ffmpeg, ffprobe and the player read: the same coded
 * pictures, copied, never re-encoded. Made once per SOP Instance UID; the next import reuses it.
 */
export async function extractDicomVideo(path: string, cacheDir: string, signal?: AbortSignal): Promise<DicomInstanceInfo> {
  const { info, bitstream } = await readDicomVideo(path);
  const out = extractedPath(cacheDir, info.sopInstanceUid);
  const have = await stat(out).catch(() => null);
  if (have?.isFile() && have.size > 0) return { ...info, media: out };
  const format = detectBitstream(bitstream.subarray(0, 512), info.codec);
  if (!format) {
    throw new OpscopeError('unsupported-media', `${info.source.split(/[\\/]/).pop()}: the pixel data is not a ${describeSyntax(info.transferSyntaxUid)} bit stream.`);
  }
  await mkdir(cacheDir, { recursive: true });
  // A bare elementary stream has no timestamps: the instance's frame rate gives them.
  // (An MPEG-2 sequence header states its own rate.)
  const rate = (format === 'h264' || format === 'hevc') && info.frameRate ? ['-framerate', String(info.frameRate)] : [];
  const args = [
    '-v', 'error', '-fflags', '+genpts', '-f', format, ...rate, '-i', 'pipe:0',
    '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-map_metadata', '-1', '-fflags', '+bitexact', '-movflags', '+faststart',
    '-f', 'mp4', '-y',
  ];
  try {
    await writeWhole(out, async (tmp) => {
      await runFfmpeg([...args, tmp], {
        timeoutMs: 10 * 60_000,
        ...(signal ? { signal } : {}),
        stdin: Readable.from([Buffer.from(bitstream.buffer, bitstream.byteOffset, bitstream.byteLength)]),
        purpose: `reading the video in ${info.source.split(/[\\/]/).pop()}`,
      });
    });
  } catch (err) {
    if (err instanceof OpscopeError && (err.code === 'canceled' || err.code === 'timeout')) throw err;
    const why = err instanceof OpscopeError ? (err.detail ?? err.message) : String(err);
    throw new OpscopeError('unsupported-media', `${info.source.split(/[\\/]/).pop()}: the ${info.codec.toUpperCase()} bit stream in the pixel data could not be read (it may be cut short).`, why.slice(0, 2000));
  }
  return { ...info, media: out };
}
