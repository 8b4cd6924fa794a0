import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { wrapCaption, type CaptionCue } from '../../core/captions.js';
import type { ClipSegment, DeidentifyParams, ExportClipParams, ExportClipResult, MaskImageParams, SegmentMasks } from '../../core/clip-job.js';
import { MAX_CLIP_WINDOWS, WINDOW_LEAD } from '../../core/deid/mask-windows.js';
import { OpscopeError } from '../../core/errors.js';
import type { JobProgress } from '../../core/worker-protocol.js';
import { inputPath, runFfmpeg, runFfprobe } from '../../node/ffmpeg/run.js';
import { captionFontFile } from '../../node/fonts.js';
import { explainMediaFailure } from './errors.js';
import { maskChains, type MaskChainInput } from './deid-filters.js';

interface ClipContext {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/**
 * Teaching-quality H.264: CRF 20 keeps fine tissue texture; the preset is chosen by picture size so
 * a 1080p clip still encodes several times faster than realtime on two cores.
 */
export const CLIP_CRF = 20;
export function clipPreset(width: number, height: number): string {
  return width * height > 1280 * 720 ? 'superfast' : 'veryfast';
}

// ---- filter graph escaping

/**
 * A value inside a filter's options (the option parser treats \ ' : specially, and trims
 * unescaped whitespace at either end).
 */
export function filterValue(v: string): string {
  return v.replace(/[\\': \t\n\r]/g, (c) => `\\${c}`);
}

/** A filter's whole argument string inside a graph (the graph parser treats \ ' [ ] , ; and outer whitespace specially). */
export function graphArgs(s: string): string {
  return s.replace(/[\\'[\],; \t\n\r]/g, (c) => `\\${c}`);
}

/** `name=k=v:k=v` with every value escaped for both levels. */
function filter(name: string, options: Record<string, string | number>): string {
  const args = Object.entries(options)
    .map(([k, v]) => `${k}=${filterValue(String(v))}`)
    .join(':');
  return `${name}=${graphArgs(args)}`;
}

const secs = (v: number) => Math.max(0, v).toFixed(6);

// ---- metadata

/**
 * Identifying metadata goes unless asked to keep it: global and per-stream tags (creation time,
 * device, location), chapters, and the muxer's and encoder's own "encoder" tags (bitexact).
 */
function metadataArgs(keep: boolean, reencoded: boolean): string[] {
  if (keep) return ['-map_metadata', '0', '-map_chapters', '0'];
  return [
    '-map_metadata', '-1',
    '-map_metadata:s:v', '-1',
    '-map_metadata:s:a', '-1',
    '-map_chapters', '-1',
    '-fflags', '+bitexact',
    ...(reencoded ? ['-flags:v', '+bitexact', '-flags:a', '+bitexact'] : []),
    '-metadata', 'encoder=',
    '-metadata:s:v', 'encoder=',
    '-metadata:s:a', 'encoder=',
  ];
}

// ---- captions

interface CaptionStyle {
  font: string;
  fontSize: number;
  margin: number;
  maxChars: number;
}

function styleFor(width: number, height: number, font: string): CaptionStyle {
  const fontSize = Math.max(12, Math.round(height / 24));
  return {
    font,
    fontSize,
    margin: Math.max(6, Math.round(height * 0.045)),
    // DejaVu Sans averages a little over half an em per character.
    maxChars: Math.floor((width * 0.9) / (fontSize * 0.56)),
  };
}

/** drawtext of a file's text (no % expansion, so any text is drawn as written). */
function drawTextFile(style: CaptionStyle, file: string, placement: 'top' | 'bottom' | 'center', enable: string | null): string {
  const y = placement === 'top' ? String(style.margin) : placement === 'center' ? '(h-text_h)/2' : `h-text_h-${style.margin}`;
  return filter('drawtext', {
    fontfile: style.font,
    textfile: file,
    expansion: 'none',
    fontsize: style.fontSize,
    fontcolor: 'white',
    line_spacing: Math.round(style.fontSize * 0.25),
    box: 1,
    boxcolor: 'black@0.6',
    boxborderw: Math.round(style.fontSize * 0.35),
    x: '(w-text_w)/2',
    y,
    ...(enable ? { enable } : {}),
  });
}

/** A clock drawn from the frame's own time: HH:MM:SS of the case, one filter for the whole clip. */
function drawClock(style: CaptionStyle, clock: NonNullable<ExportClipParams['clock']>): string {
  const offset = (clock.caseTime - clock.start).toFixed(6);
  const tt = `(t+${offset})`;
  const text =
    `%{eif:floor(${tt}/3600):d:2}:` +
    `%{eif:mod(floor(${tt}/60),60):d:2}:` +
    `%{eif:mod(floor(${tt}),60):d:2}`;
  return filter('drawtext', {
    fontfile: style.font,
    text,
    fontsize: Math.round(style.fontSize * 0.85),
    fontcolor: 'white',
    box: 1,
    boxcolor: 'black@0.6',
    boxborderw: Math.round(style.fontSize * 0.25),
    x: style.margin,
    y: style.margin,
    enable: `between(t,${clock.start.toFixed(6)},${(clock.end - 1e-4).toFixed(6)})`,
  });
}

async function cueFilters(style: CaptionStyle, cues: readonly CaptionCue[], work: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, cue] of cues.entries()) {
    if (!(cue.end > cue.start)) continue;
    const file = join(work, `cue-${i}.txt`);
    await writeFile(file, wrapCaption(cue.text, style.maxChars), 'utf8');
    // The last moment of a cue is exclusive, as in WebVTT.
    const enable = `between(t,${cue.start.toFixed(6)},${(cue.end - 1e-4).toFixed(6)})`;
    out.push(drawTextFile(style, file, cue.placement ?? 'bottom', enable));
  }
  return out;
}

// ---- errors

/** What went wrong, said about the clip being written rather than about a source recording. */
function explainExportFailure(err: unknown, out: string, sources: readonly ClipSegment[]): OpscopeError {
  const said = err instanceof OpscopeError ? `${err.detail ?? ''}\n${err.message}` : err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const folder = dirname(out);
  if (code === 'ENOSPC' || /No space left on device/i.test(said)) {
    return new OpscopeError('unavailable', `The disk is full: there is not enough free space in ${folder} for the clip.`, said);
  }
  if (code === 'EROFS' || /Read-only file system/i.test(said)) {
    return new OpscopeError('unavailable', `${folder} is read-only: the clip cannot be written there.`, said);
  }
  if (/Permission denied/i.test(said) && said.includes(basename(out))) {
    return new OpscopeError('unavailable', `${folder} cannot be written to (permission denied).`, said);
  }
  return explainMediaFailure(err, sources.map((s) => basename(s.path)).filter((n, i, all) => all.indexOf(n) === i).join(', '));
}

// ---- probing the result

async function probeClip(file: string, signal: AbortSignal): Promise<{ duration: number; width: number; height: number; audio: boolean; videoDuration: number }> {
  const { stdout } = await runFfprobe(
    ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,width,height,duration', '-of', 'json', inputPath(file)],
    { timeoutMs: 60_000, signal, purpose: 'checking the exported clip' },
  );
  const j = JSON.parse(stdout.toString()) as {
    format?: { duration?: string };
    streams?: { codec_type?: string; width?: number; height?: number; duration?: string }[];
  };
  const video = j.streams?.find((s) => s.codec_type === 'video');
  if (!video) throw new OpscopeError('tool-failed', 'The exported clip has no video stream.');
  const duration = Number(j.format?.duration);
  const videoDuration = Number(video.duration);
  return {
    duration: Number.isFinite(duration) ? duration : Number.isFinite(videoDuration) ? videoDuration : 0,
    videoDuration: Number.isFinite(videoDuration) ? videoDuration : duration,
    width: video.width ?? 0,
    height: video.height ?? 0,
    audio: Boolean(j.streams?.some((s) => s.codec_type === 'audio')),
  };
}

// ---- the two modes

async function accurate(p: ExportClipParams, ctx: ClipContext, work: string): Promise<void> {
  const { width, height } = p.size;
  const needsFont =
    p.titleCard !== null ||
    (p.captions.burn && (p.captions.cues.length > 0 || p.clock !== null)) ||
    (p.deidentify?.outOfBody === 'card' && p.segments.some((s) => (s.masks?.outOfBody.length ?? 0) > 0));
  if (p.deidentify?.outOfBody === 'card') await writeFile(join(work, 'card.txt'), p.deidentify.cardText, 'utf8');
  const style = needsFont ? styleFor(width, height, captionFontFile()) : null;
  const audio = p.keepAudio && p.segments.some((s) => s.hasAudio);
  const inputs: string[] = [];
  /** Inputs after the segments': decodes of the windows where some masks show (see mask-windows.ts). */
  const windowInputs: string[][] = [];
  const chains: string[] = [];
  const pairs: string[] = [];
  const fit =
    `scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=bicubic,` +
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p`;
  const silence = (d: number, label: string) =>
    chains.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${secs(d)},aformat=sample_fmts=fltp:channel_layouts=stereo[${label}]`);

  let total = 0;
  if (p.titleCard && style) {
    const file = join(work, 'title.txt');
    await writeFile(file, wrapCaption(p.titleCard.text, Math.floor(style.maxChars / 1.4)), 'utf8');
    const big = { ...style, fontSize: Math.round(style.fontSize * 1.4) };
    chains.push(
      `color=c=0x14181c:s=${width}x${height}:r=${p.fps.toFixed(3)}:d=${secs(p.titleCard.seconds)},format=yuv420p,` +
        `${drawTextFile(big, file, 'center', null)},setsar=1[vt]`,
    );
    pairs.push('[vt]');
    if (audio) {
      silence(p.titleCard.seconds, 'at');
      pairs.push('[at]');
    }
    total += p.titleCard.seconds;
  }
  p.segments.forEach((s, k) => {
    const d = s.to - s.from;
    inputs.push('-ss', secs(s.from), '-t', secs(d), '-i', inputPath(s.path));
    const windows = s.first === undefined || s.last === undefined ? undefined : {
      duration: d,
      last: s.last - s.first,
      max: MAX_CLIP_WINDOWS - windowInputs.length,
      open: (from: number) => {
        const input = p.segments.length + windowInputs.length;
        // At the window itself, never earlier: a window pointed before its segment's own seek
        // point came out misaligned in the two-range test (the cause is not pinned down), while
        // one pointed at the window matches the every-frame clip frame for frame.
        const seek = s.first! + from;
        // From the keyframe before the window, timed like the segment: the seek point shifted to
        // where the segment's would put it, less its first frame's time, less a hair so that
        // each frame of the window comes no later than the same frame of the segment.
        windowInputs.push(['-noaccurate_seek', '-ss', secs(seek), '-itsoffset', secs(seek - s.from), '-i', inputPath(s.path)]);
        chains.push(`[${input}:v:0]setpts=PTS-${(s.first! - s.from + WINDOW_LEAD).toFixed(6)}/TB[dw${input}]`);
        return `dw${input}`;
      },
    };
    const masked = p.deidentify && s.masks ? deidMasks(p.deidentify, s.masks, k, work, style?.font ?? null, windows) : null;
    if (masked) {
      chains.push(`[${k}:v:0]setpts=PTS-STARTPTS[dm${k}in]`, ...masked);
      chains.push(`[dm${k}out]${fit}[v${k}]`);
    } else chains.push(`[${k}:v:0]setpts=PTS-STARTPTS,${fit}[v${k}]`);
    pairs.push(`[v${k}]`);
    if (audio) {
      if (s.hasAudio) {
        chains.push(
          `[${k}:a:0]asetpts=PTS-STARTPTS,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,` +
            `apad,atrim=duration=${secs(d)}[a${k}]`,
        );
      } else silence(d, `a${k}`);
      pairs.push(`[a${k}]`);
    }
    total += d;
  });
  inputs.push(...windowInputs.flat());
  const n = p.segments.length + (p.titleCard ? 1 : 0);
  let video: string;
  if (n > 1) {
    chains.push(`${pairs.join('')}concat=n=${n}:v=1:a=${audio ? 1 : 0}[vc]${audio ? '[ac]' : ''}`);
    video = 'vc';
  } else {
    video = 'v0';
  }
  const overlays = style && p.captions.burn ? await cueFilters(style, p.captions.cues, work) : [];
  if (style && p.captions.burn && p.clock) overlays.push(drawClock(style, p.clock));
  if (overlays.length) {
    chains.push(`[${video}]${overlays.join(',')}[vo]`);
    video = 'vo';
  }
  const audioLabel = audio ? (n > 1 ? 'ac' : 'a0') : null;
  const script = join(work, 'graph.txt');
  await writeFile(script, chains.join(';\n'), 'utf8');

  await runFfmpeg(
    [
      '-v', 'error', '-progress', 'pipe:2', '-nostats',
      ...inputs,
      '-filter_complex_script', script,
      '-map', `[${video}]`,
      ...(audioLabel ? ['-map', `[${audioLabel}]`, '-c:a', 'aac', '-b:a', '128k'] : ['-an']),
      '-sn', '-dn',
      '-c:v', 'libx264', '-preset', clipPreset(width, height), '-crf', String(CLIP_CRF), '-pix_fmt', 'yuv420p',
      '-vsync', 'passthrough',
      // The encoder counts time in 1/frame-rate units: with mixed or variable rates, count finely
      // so every frame keeps its own timestamp.
      ...(p.uniformRate ? [] : ['-r', '90000']),
      ...metadataArgs(p.keepMetadata, true),
      '-movflags', '+faststart',
      '-f', p.format, '-y', inputPath(p.out),
    ],
    runOptions(p, ctx, total, 0, 1, 'Encoding the clip'),
  );
}

/** The segment's de-identification chain from [dm{k}in] to [dm{k}out]; null when it masks nothing. */
function deidMasks(d: DeidentifyParams, masks: SegmentMasks, k: number, work: string, font: string | null, windows?: MaskChainInput['windows']): string[] | null {
  return maskChains({
    ...(windows ? { windows } : {}),
    input: `dm${k}in`,
    output: `dm${k}out`,
    width: masks.width,
    height: masks.height,
    masks,
    deidentify: d,
    cardText: font
      ? (enable) =>
          filter('drawtext', {
            fontfile: font,
            textfile: join(work, 'card.txt'),
            expansion: 'none',
            fontsize: Math.max(12, Math.round(masks.height / 18)),
            fontcolor: 'white',
            x: '(w-text_w)/2',
            y: '(h-text_h)/2',
            enable,
          })
      : null,
    tag: `dm${k}x`,
  });
}

/**
 * A still with the masks of its moment (the worker's `maskImage` job): the same filters as the
 * clip's, so a still never shows what its clip hides.
 */
export async function maskImage(p: MaskImageParams, signal: AbortSignal): Promise<{ out: string }> {
  const { stdout } = await runFfprobe(['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', inputPath(p.input)], {
    timeoutMs: 30_000,
    signal,
    purpose: 'reading a still',
  });
  const [width, height] = stdout.toString().trim().split(',').map(Number) as [number, number];
  let work: string | null = null;
  try {
    work = await mkdtemp(join(tmpdir(), 'opscope-still-'));
    const forever = { from: 0, to: 1e6 };
    const masks: SegmentMasks = {
      width,
      height,
      regions: p.boxes.map((box) => ({ box, ...forever })),
      outOfBody: p.outOfBody ? [forever] : [],
      people: (p.people ?? []).map((box) => ({ box, ...forever })),
    };
    const card = p.outOfBody && p.deidentify.outOfBody === 'card';
    const font = card ? captionFontFile() : null;
    if (card) await writeFile(join(work, 'card.txt'), p.deidentify.cardText, 'utf8');
    const chains = deidMasks(p.deidentify, masks, 0, work, font) ?? ['[dm0in]null[dm0out]'];
    const script = join(work, 'graph.txt');
    await writeFile(script, [`[0:v:0]format=yuv444p[dm0in]`, ...chains, `[dm0out]format=rgb24[out]`].join(';\n'), 'utf8');
    await runFfmpeg(
      ['-v', 'error', '-i', inputPath(p.input), '-filter_complex_script', script, '-map', '[out]', '-frames:v', '1', '-c:v', 'png', '-f', 'image2', '-y', inputPath(p.out)],
      { timeoutMs: 60_000, signal, purpose: 'masking a still' },
    );
    return { out: p.out };
  } catch (err) {
    await rm(p.out, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

function runOptions(p: ExportClipParams, ctx: ClipContext, total: number, base: number, weight: number, stage: string) {
  return {
    timeoutMs: Math.max(10 * 60_000, total * 20_000),
    idleTimeoutMs: 120_000,
    signal: ctx.signal,
    purpose: `exporting a clip to ${basename(dirname(p.out))}`,
    onProgress: (pr: { outTime: number }) =>
      ctx.progress({ fraction: Math.min(1, base + weight * (total > 0 ? Math.min(1, pr.outTime / total) : 0)), stage }),
  };
}

async function copySegment(p: ExportClipParams, s: ClipSegment, out: string, format: string, ctx: ClipContext, base: number, weight: number) {
  const d = s.to - s.from;
  // Seek to just after the keyframe: ffmpeg then starts the copy on that keyframe.
  await runFfmpeg(
    [
      '-v', 'error', '-progress', 'pipe:2', '-nostats',
      '-ss', secs(s.from + 0.001),
      '-i', inputPath(s.path),
      '-map', '0:v:0',
      ...(p.keepAudio && s.hasAudio ? ['-map', '0:a:0?'] : ['-an']),
      '-sn', '-dn',
      '-c', 'copy',
      ...(s.frames ? ['-frames:v', String(s.frames)] : []),
      '-t', secs(d),
      '-avoid_negative_ts', 'make_zero',
      ...metadataArgs(p.keepMetadata, false),
      ...(format === 'mp4' || format === 'mov' ? ['-movflags', '+faststart'] : []),
      '-f', format, '-y', inputPath(out),
    ],
    runOptions(p, ctx, d, base, weight, 'Copying the recording'),
  );
}

async function streamCopy(p: ExportClipParams, ctx: ClipContext, work: string): Promise<{ from: number; to: number }[]> {
  if (p.deidentify) {
    throw new OpscopeError('invalid-input', 'De-identification draws masks into the picture, which needs re-encoding: use the accurate mode.');
  }
  if (p.captions.burn || p.titleCard) {
    throw new OpscopeError('invalid-input', 'Burned captions and title cards need re-encoding: use the accurate mode, or captions as a VTT file.');
  }
  if (p.segments.length === 1) {
    const s = p.segments[0]!;
    await copySegment(p, s, p.out, p.format, ctx, 0, 1);
    const probe = await probeClip(p.out, ctx.signal);
    return [{ from: s.from, to: s.from + probe.videoDuration }];
  }
  // Several parts: each copied to its own file beside the output, then joined without re-encoding.
  const pieces = p.segments.map((_, k) => `${p.out}.seg${k}.${p.format}`);
  const total = p.segments.reduce((a, s) => a + (s.to - s.from), 0);
  const actual: { from: number; to: number }[] = [];
  try {
    let done = 0;
    for (const [k, s] of p.segments.entries()) {
      const d = s.to - s.from;
      await copySegment(p, s, pieces[k]!, p.format, ctx, (0.9 * done) / total, (0.9 * d) / total);
      done += d;
      const probe = await probeClip(pieces[k]!, ctx.signal);
      actual.push({ from: s.from, to: s.from + probe.videoDuration });
    }
    const list = join(work, 'parts.ffconcat');
    const quote = (f: string) => `'${f.replace(/'/g, "'\\''")}'`;
    await writeFile(list, `ffconcat version 1.0\n${pieces.map((f) => `file ${quote(f)}`).join('\n')}\n`, 'utf8');
    await runFfmpeg(
      [
        '-v', 'error', '-progress', 'pipe:2', '-nostats',
        '-f', 'concat', '-safe', '0', '-i', inputPath(list),
        '-map', '0:v:0', ...(p.keepAudio ? ['-map', '0:a:0?'] : ['-an']),
        '-c', 'copy',
        ...metadataArgs(p.keepMetadata, false),
        '-movflags', '+faststart',
        '-f', p.format, '-y', inputPath(p.out),
      ],
      runOptions(p, ctx, total, 0.9, 0.1, 'Joining the parts'),
    );
  } finally {
    await Promise.all(pieces.map((f) => rm(f, { force: true })));
  }
  return actual;
}

/**
 * Writes a teaching clip to `p.out`. On failure or cancel nothing is left at `p.out` (nor any
 * intermediate file); the host renames the result once the clip and its sidecars all exist.
 */
export async function exportClip(p: ExportClipParams, ctx: ClipContext): Promise<ExportClipResult> {
  if (p.segments.length === 0) throw new OpscopeError('invalid-input', 'A clip needs at least one range of a recording.');
  for (const s of p.segments) {
    if (!(Number.isFinite(s.from) && Number.isFinite(s.to) && s.to > s.from && s.from >= 0)) {
      throw new OpscopeError('invalid-input', `Invalid range ${s.from}..${s.to} of ${basename(s.path)}.`);
    }
  }
  let work: string | null = null;
  try {
    work = await mkdtemp(join(tmpdir(), 'opscope-clip-'));
    ctx.progress({ fraction: 0, stage: p.mode === 'accurate' ? 'Encoding the clip' : 'Copying the recording' });
    let segments: { from: number; to: number }[];
    if (p.mode === 'accurate') {
      await accurate(p, ctx, work);
      segments = p.segments.map((s) => ({ from: s.from, to: s.to }));
    } else {
      segments = await streamCopy(p, ctx, work);
    }
    const probe = await probeClip(p.out, ctx.signal);
    const { size } = await stat(p.out);
    ctx.progress({ fraction: 1, stage: 'Clip written' });
    return { out: p.out, duration: probe.duration, bytes: size, width: probe.width, height: probe.height, audio: probe.audio, segments };
  } catch (err) {
    await rm(p.out, { force: true }).catch(() => undefined);
    if (ctx.signal.aborted) throw new OpscopeError('canceled', 'The export was canceled.');
    throw explainExportFailure(err, p.out, p.segments);
  } finally {
    if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}
