import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFramecrcLine, parseInputSummary } from '../../core/ffmpeg-output.js';
import { summarizeProbe, type ProbeSummary } from '../../core/media-info.js';
import { inputPath, runFfmpeg, runFfprobe } from '../../node/ffmpeg/run.js';

/*
 * Some ffprobe builds crash on inputs their ffmpeg reads fine (the Linux build shipped in
 * @ffprobe-installer segfaults on every MPEG transport stream, the usual container of OR
 * recorders). These readers get the same facts through ffmpeg instead, so such recordings
 * still import and index. They run only after ffprobe has crashed on the file.
 */

const HEAD_SECONDS = 2;

/**
 * Copies the first seconds of the streams into a temporary Matroska file that ffprobe reads
 * safely, and takes duration and start time from ffmpeg's own view of the original.
 */
export async function probeThroughFfmpeg(path: string, fileName: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'opscope-probe-'));
  try {
    const head = join(dir, 'head.mkv');
    const said: string[] = [];
    await runFfmpeg(
      ['-v', 'info', '-nostats', '-i', inputPath(path), '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-t', String(HEAD_SECONDS), '-f', 'matroska', '-y', head],
      { timeoutMs, signal, purpose: `reading ${fileName}`, onStderrLine: (l) => said.length < 200 && said.push(l) },
    );
    const input = parseInputSummary(said);
    const { stdout } = await runFfprobe(['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', head], {
      timeoutMs,
      signal,
      purpose: `reading ${fileName}`,
    });
    const data = JSON.parse(stdout.toString('utf8')) as { format?: Record<string, unknown> & { tags?: Record<string, string> } };
    const tags = { ...data.format?.tags };
    // The copy carries ffmpeg's own creation time, not the recording's.
    delete tags.creation_time;
    if (input.creationTime) tags.creation_time = input.creationTime;
    data.format = {
      ...data.format,
      tags,
      format_name: input.formatName ?? data.format?.format_name,
      duration: input.duration === null ? undefined : String(input.duration),
      start_time: String(input.startTime),
      bit_rate: input.bitRate === null ? undefined : String(input.bitRate),
    };
    return summarizeProbe(JSON.stringify(data), fileName);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Streams every video packet's time, size and keyframe flag through ffmpeg's framecrc muxer. */
export async function readPacketsThroughFfmpeg(
  path: string,
  fileName: string,
  onPacket: (pts: number, size: number, key: boolean) => void,
  opts: { timeoutMs: number; idleTimeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  let timeBase = 0;
  let rest = '';
  const onLine = (line: string) => {
    const tb = /^#tb 0: (\d+)\/(\d+)/.exec(line);
    if (tb) {
      timeBase = Number(tb[1]) / Number(tb[2]);
      return;
    }
    if (!timeBase) return;
    const p = parseFramecrcLine(line, timeBase);
    if (p) onPacket(p.pts, p.size, p.key);
  };
  await runFfmpeg(['-v', 'error', '-copyts', '-i', inputPath(path), '-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', '-'], {
    ...opts,
    purpose: `reading the packets of ${fileName}`,
    onStdout: (chunk) => {
      const lines = (rest + chunk.toString('latin1')).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    },
  });
  if (rest) onLine(rest);
}
