import { describe, expect, it } from 'vitest';
import { OpscopeError } from '../../../../../main/core/errors.js';
import { ToolFailure, type RunOptions, type RunResult } from '../../../../../main/node/ffmpeg/run.js';
import {
  demoteEncoder,
  detectH264Encoder,
  hardwareCandidates,
  LIBX264,
  parseEncoderList,
  pickH264Encoder,
  probeArgs,
  type FfmpegRunner,
} from '../../../../../main/node/record/encoders.js';

const LIST = ` V..... = Video
 ------
 V..... libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)
 V..... h264_qsv             H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (Intel Quick Sync Video acceleration) (codec h264)
 V..... h264_vaapi           H.264/AVC (VAAPI) (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
`;

/** A fake ffmpeg: lists `list`; a test encode with an encoder in `works` succeeds, any other fails as ffmpeg would. */
function fakeFfmpeg(list: string, works: string[] = []) {
  const calls: { args: readonly string[]; opts: RunOptions }[] = [];
  const run: FfmpegRunner = async (args, opts): Promise<RunResult> => {
    calls.push({ args, opts });
    if (args[0] === '-encoders') return { stdout: Buffer.from(list), stderrTail: [] };
    const encoder = args[args.indexOf('-c:v') + 1]!;
    if (works.includes(encoder)) return { stdout: Buffer.alloc(0), stderrTail: [] };
    throw new ToolFailure(`ffmpeg failed while trying ${encoder} (exit 1): Cannot load libcuda.so.1`, 'Cannot load libcuda.so.1', 'ffmpeg', null);
  };
  return { run, calls };
}

describe('H.264 encoder choice', () => {
  it('reads encoder names from ffmpeg -encoders', () => {
    expect([...parseEncoderList(LIST)]).toEqual(['libx264', 'h264_nvenc', 'h264_qsv', 'h264_vaapi', 'aac']);
  });

  it('tries the hardware encoders each platform has, in order', () => {
    expect(hardwareCandidates('darwin')).toEqual(['h264_videotoolbox']);
    expect(hardwareCandidates('win32')).toEqual(['h264_nvenc', 'h264_qsv', 'h264_amf']);
    expect(hardwareCandidates('linux')).toEqual(['h264_nvenc', 'h264_qsv', 'h264_amf', 'h264_vaapi']);
    expect(hardwareCandidates('freebsd')).toEqual([]);
  });

  it('probes with a few tiny generated frames, the recording settings and no output', () => {
    const args = probeArgs(LIBX264);
    expect(args.slice(args.indexOf('-f'), args.indexOf('-f') + 4)).toEqual(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25']);
    expect(args).toEqual(expect.arrayContaining(['-frames:v', '5', '-bf', '0', '-force_key_frames', 'expr:gte(t,n_forced*1)']));
    expect(args.slice(-3)).toEqual(['-f', 'null', '-']);
    expect(args.join(' ')).toContain('-c:v libx264 -preset veryfast');
  });

  it('falls back to libx264 when every hardware probe fails, saying why for each', async () => {
    const { run, calls } = fakeFfmpeg(LIST);
    const enc = await detectH264Encoder({ run, platform: 'linux', exists: () => true });
    expect(enc).toMatchObject({ encoder: 'libx264', hardware: false, args: LIBX264.args });
    expect(enc.tried).toEqual([
      { encoder: 'h264_nvenc', why: expect.stringContaining('Cannot load libcuda.so.1') },
      { encoder: 'h264_qsv', why: expect.stringContaining('exit 1') },
      { encoder: 'h264_amf', why: 'not in this ffmpeg build' },
      { encoder: 'h264_vaapi', why: expect.stringContaining('failed') },
    ]);
    // The list, then one short test encode per encoder this build has.
    expect(calls.map((c) => c.args[0])).toEqual(['-encoders', '-v', '-v', '-v']);
    for (const c of calls.slice(1)) expect(c.opts.timeoutMs).toBeLessThanOrEqual(10_000);
  });

  it('takes the first hardware encoder whose test encode works', async () => {
    const { run, calls } = fakeFfmpeg(LIST, ['h264_qsv', 'h264_vaapi']);
    const enc = await detectH264Encoder({ run, platform: 'win32' });
    expect(enc.encoder).toBe('h264_qsv');
    expect(enc.hardware).toBe(true);
    expect(enc.args.slice(0, 2)).toEqual(['-c:v', 'h264_qsv']);
    expect(enc.tried).toEqual([{ encoder: 'h264_nvenc', why: expect.stringContaining('libcuda') }]);
    expect(calls).toHaveLength(3);
  });

  it('tries VAAPI only where the render node exists, and uploads frames to it', async () => {
    const missing = await detectH264Encoder({ ...fakeFfmpeg(LIST, ['h264_vaapi']), platform: 'linux', exists: () => false });
    expect(missing.encoder).toBe('libx264');
    expect(missing.tried.at(-1)).toEqual({ encoder: 'h264_vaapi', why: 'no /dev/dri/renderD128' });
    const there = await detectH264Encoder({ ...fakeFfmpeg(LIST, ['h264_vaapi']), platform: 'linux', exists: (p) => p === '/dev/dri/renderD128' });
    expect(there.encoder).toBe('h264_vaapi');
    expect(there.args).toEqual(expect.arrayContaining(['-vaapi_device', '/dev/dri/renderD128', '-vf', 'format=nv12,hwupload', '-c:v', 'h264_vaapi']));
  });

  it('uses VideoToolbox on macOS and never tries it elsewhere', async () => {
    const list = `${LIST} V..... h264_videotoolbox    VideoToolbox H.264 Encoder (codec h264)\n`;
    expect((await detectH264Encoder({ ...fakeFfmpeg(list, ['h264_videotoolbox']), platform: 'darwin' })).encoder).toBe('h264_videotoolbox');
    const linux = await detectH264Encoder({ ...fakeFfmpeg(list, ['h264_videotoolbox']), platform: 'linux', exists: () => false });
    expect(linux.encoder).toBe('libx264');
  });

  it('uses OpenH264 only when the build has no libx264', async () => {
    const enc = await detectH264Encoder({ ...fakeFfmpeg(' V..... libopenh264          OpenH264 H.264 (codec h264)\n'), platform: 'darwin' });
    expect(enc.encoder).toBe('libopenh264');
    expect(enc.tried).toEqual([
      { encoder: 'h264_videotoolbox', why: 'not in this ffmpeg build' },
      { encoder: 'libx264', why: 'not in this ffmpeg build' },
    ]);
  });

  it('stops when canceled instead of falling back', async () => {
    const ac = new AbortController();
    const run: FfmpegRunner = async (args) => {
      if (args[0] === '-encoders') return { stdout: Buffer.from(LIST), stderrTail: [] };
      ac.abort();
      throw new OpscopeError('canceled', 'Canceled while trying h264_nvenc.');
    };
    await expect(detectH264Encoder({ run, platform: 'linux', signal: ac.signal })).rejects.toMatchObject({ code: 'canceled' });
  });

  it('detects once per process, forgets a failed detection, and remembers a demoted encoder', async () => {
    const fake = fakeFfmpeg(LIST, ['h264_nvenc']);
    const a = await pickH264Encoder({ ...fake, platform: 'linux' });
    const b = await pickH264Encoder({ ...fake, platform: 'linux' });
    expect(b).toBe(a);
    expect(a.encoder).toBe('h264_nvenc');
    expect(fake.calls).toHaveLength(2);

    const fallback = demoteEncoder(a, 'no free encoder session', fake.run);
    expect(fallback).toMatchObject({ encoder: 'libx264', hardware: false });
    expect(fallback.tried.at(-1)).toEqual({ encoder: 'h264_nvenc', why: 'no free encoder session' });
    expect(await pickH264Encoder({ ...fake, platform: 'linux' })).toBe(fallback);

    let fail = true;
    const flaky: FfmpegRunner = async (args) => {
      if (fail) throw new OpscopeError('timeout', 'ffmpeg took too long');
      return { stdout: Buffer.from(args[0] === '-encoders' ? LIST : ''), stderrTail: [] };
    };
    await expect(pickH264Encoder({ run: flaky, platform: 'linux', exists: () => false })).rejects.toMatchObject({ code: 'timeout' });
    fail = false;
    expect((await pickH264Encoder({ run: flaky, platform: 'linux', exists: () => false })).encoder).toBe('h264_nvenc');
  });

  it('finds libx264 in the ffmpeg this app uses, and a test encode with it works', async () => {
    const enc = await detectH264Encoder({ platform: 'freebsd' });
    expect(enc).toMatchObject({ encoder: 'libx264', hardware: false, tried: [] });
    const { runFfmpeg } = await import('../../../../../main/node/ffmpeg/run.js');
    await runFfmpeg(probeArgs(enc), { timeoutMs: 20_000 });
  });
});
