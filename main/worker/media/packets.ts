import { basename } from 'node:path';
import type { PacketScan } from '../../core/media-info.js';
import { inputPath, isToolCrash, runFfprobe } from '../../node/ffmpeg/run.js';
import { explainMediaFailure } from './errors.js';
import { readPacketsThroughFfmpeg } from './probe-via-ffmpeg.js';

/**
 * Reads every video packet's timestamp, size and keyframe flag without decoding anything.
 * Exact frame timestamps (variable frame rate included) and a per-second motion proxy come from
 * here.
 */
export async function scanPackets(path: string, startTime: number, signal?: AbortSignal): Promise<PacketScan> {
  const name = basename(path);
  const times: number[] = [];
  const sizes: number[] = [];
  const keys: number[] = [];
  let rest = '';
  const onLine = (line: string) => {
    // Field order is ffprobe's own: pts_time, dts_time, size, flags.
    const [pts, dts, size, flags] = line.split(',');
    let t = Number(pts);
    if (!Number.isFinite(t)) t = Number(dts);
    if (!Number.isFinite(t)) return;
    times.push(t - startTime);
    sizes.push(Number(size) || 0);
    keys.push(flags?.includes('K') ? 1 : 0);
  };
  const limits = { timeoutMs: 30 * 60_000, idleTimeoutMs: 60_000, ...(signal ? { signal } : {}) };
  try {
    await runFfprobe(
      ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,dts_time,size,flags', '-of', 'csv=p=0', inputPath(path)],
      {
        ...limits,
        purpose: `reading the packets of ${name}`,
        onStdout: (chunk) => {
          const text = rest + chunk.toString('latin1');
          const lines = text.split('\n');
          rest = lines.pop() ?? '';
          for (const l of lines) if (l) onLine(l);
        },
      },
    );
    if (rest) onLine(rest);
  } catch (err) {
    if (!isToolCrash(err, 'ffprobe')) throw explainMediaFailure(err, name);
    times.length = sizes.length = keys.length = 0;
    await readPacketsThroughFfmpeg(path, name, (pts, size, key) => {
      times.push(pts - startTime);
      sizes.push(size);
      keys.push(key ? 1 : 0);
    }, limits).catch((e: unknown) => {
      throw explainMediaFailure(e, name);
    });
  }
  const frameTimes = Float64Array.from(times).sort();
  return {
    frameTimes,
    packetTimes: Float64Array.from(times),
    packetSizes: Uint32Array.from(sizes),
    packetKeys: Uint8Array.from(keys),
  };
}
