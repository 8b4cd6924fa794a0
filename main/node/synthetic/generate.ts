import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { OpscopeError } from '../../core/errors.js';
import { inputPath, runFfmpeg } from '../ffmpeg/run.js';
import { writeWhole } from '../whole-file.js';
import { ffmpegCaps } from './capabilities.js';
import { encodeArgs } from './encode.js';
import { buildScene } from './scene.js';
import { resolveSpec, type ResolvedSpec, type SyntheticSpec } from './spec.js';
import { renderOverlayText } from './text.js';

export interface GenerateOptions {
  signal?: AbortSignal;
  /** Fraction of the video written so far, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Hard limit for the whole encode; by default generous for the size and codec. */
  timeoutMs?: number;
}

/** A deliberately generous wall-clock limit: pixels to encode over a slow machine's throughput. */
export function defaultTimeoutMs(spec: ResolvedSpec): number {
  const pixelsPerSecond =
    spec.codec === 'hevc' ? 4e6 : spec.codec === 'h264' ? (spec.quality === 'fast' ? 40e6 : 15e6) : 30e6;
  return Math.round(120_000 + (4 * 1000 * spec.frames * spec.width * spec.height) / pixelsPerSecond);
}

/**
 * Renders a synthetic endoscopy video to `outPath`. The file appears only when complete: ffmpeg
 * writes a hidden temporary sibling that is renamed on success and deleted on failure or cancel.
 */
export async function generateSyntheticVideo(outPath: string, input: SyntheticSpec, opts: GenerateOptions = {}): Promise<void> {
  const spec = resolveSpec(input);
  const target = resolve(outPath);
  const dir = dirname(target);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new OpscopeError('not-found', `The folder for the synthetic video does not exist: ${dir}`);

  const caps = await ffmpegCaps(opts.signal);
  let work: string | null = null;
  try {
    work = await mkdtemp(join(tmpdir(), 'opscope-synthetic-'));
    const inputs: string[] = [];
    const text = spec.overlayText ? renderOverlayText(spec.overlayText, spec.width, spec.height) : null;
    if (text) {
      const image = join(work, 'text.pam');
      await writeFile(image, text.pam);
      inputs.push('-f', 'image2', '-c:v', 'pam', '-i', inputPath(image));
    }
    const scene = buildScene(spec, caps, text);
    // The graph runs to tens of kilobytes with many events: too long for a Windows command line.
    const script = join(work, 'graph.txt');
    await writeFile(script, scene.graph, 'utf8');
    const args = [
      ...inputs,
      ...(caps.filterComplexScript ? ['-filter_complex_script', script] : ['-/filter_complex', script]),
      '-map',
      `[${scene.video}]`,
      ...(scene.audio ? ['-map', `[${scene.audio}]`] : []),
      ...encodeArgs(spec, caps),
      '-progress',
      'pipe:2',
      '-nostats',
      '-y',
    ];
    const onProgress = opts.onProgress;
    await writeWhole(target, async (temp) => {
      await runFfmpeg([...args, inputPath(temp)], {
        timeoutMs: opts.timeoutMs ?? defaultTimeoutMs(spec),
        idleTimeoutMs: 180_000,
        purpose: 'generating a synthetic video',
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(onProgress ? { onProgress: (p) => onProgress(Math.min(1, p.outTime / spec.duration)) } : {}),
      });
    });
    onProgress?.(1);
  } finally {
    if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}
