import { basename } from 'node:path';
import { open, stat } from 'node:fs/promises';
import { OpscopeError } from '../../core/errors.js';
import { summarizeProbe } from '../../core/media-info.js';
import type { InspectResult } from '../../core/worker-protocol.js';
import { fingerprintFile } from '../../node/fingerprint.js';
import { extractDicomVideo } from '../../node/dicom/extract-video.js';
import { isDicomFile } from '../../node/dicom/read-instance.js';
import { inputPath, isToolCrash, runFfmpeg, runFfprobe } from '../../node/ffmpeg/run.js';
import { explainMediaFailure } from './errors.js';
import { probeThroughFfmpeg } from './probe-via-ffmpeg.js';

const PROBE_TIMEOUT_MS = 60_000;

/**
 * A DICOM file's video is remuxed into `cacheDir` and inspected as any recording (errors name the
 * .dcm); any other file is inspected as it is.
 */
export async function inspectMaybeDicom(path: string, cacheDir: string, signal?: AbortSignal): Promise<InspectResult> {
  if (!(await isDicomFile(path))) return inspectRecording(path, signal);
  let dicom;
  try {
    dicom = await extractDicomVideo(path, cacheDir, signal);
  } catch (err) {
    throw explainMediaFailure(err, basename(path));
  }
  return { ...(await inspectRecording(dicom.media, signal, basename(path))), dicom };
}

/** Everything import needs to know about a file: identity, streams, and that a frame decodes. */
export async function inspectRecording(path: string, signal?: AbortSignal, shownName?: string): Promise<InspectResult> {
  const name = shownName ?? basename(path);
  let head: Buffer | undefined;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size === 0) throw new OpscopeError('unsupported-media', `${name} is empty (0 bytes).`);
    const fp = await fingerprintFile(path);
    head = await readHead(path, 16);
    const probe = await runFfprobe(
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', inputPath(path)],
      { timeoutMs: PROBE_TIMEOUT_MS, signal, purpose: `reading ${name}` },
    ).then(
      ({ stdout }) => summarizeProbe(stdout.toString('utf8'), name),
      (err: unknown) => {
        if (isToolCrash(err, 'ffprobe')) return probeThroughFfmpeg(path, name, PROBE_TIMEOUT_MS, signal);
        throw err;
      },
    );
    // ffprobe reads headers only; decoding one frame proves the codec really works here.
    await runFfmpeg(['-v', 'error', '-i', inputPath(path), '-map', '0:v:0', '-frames:v', '1', '-f', 'null', '-'], {
      timeoutMs: PROBE_TIMEOUT_MS,
      signal,
      purpose: `decoding the first frame of ${name}`,
    }).catch((err: unknown) => {
      const e = explainMediaFailure(err, name);
      if (e.code === 'canceled' || e.code === 'timeout') throw e;
      throw new OpscopeError('unsupported-media', `${name}: the ${probe.video.codec} video could not be decoded (${e.message}).`, e.detail);
    });
    return { ...fp, probe };
  } catch (err) {
    throw explainMediaFailure(err, name, head);
  }
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
