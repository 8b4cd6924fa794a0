import { existsSync } from 'node:fs';
import { snapToFrames, spreadTimes, type PlannedFrame } from '../../core/agent/frame-plan.js';
import type { AgentTools, CropResult, FrameInfo, FrameRef, FrameSignals, OverviewResult } from '../../core/agent/engine/types.js';
import { summarizeTracks } from '../../core/agent/engine/track-summary.js';
import type { CaseTimeline } from '../../core/case-time.js';
import type { TrackName } from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { displayRange, toDisplay, type DisplayRange } from '../../core/signals/index.js';
import type { AgentFrameFeatures, AgentFrameResult } from '../../core/worker-protocol.js';
import type { DataLayout } from '../../node/paths.js';
import { pngSize } from '../../node/png.js';
import { timelineOf, type CaseViews } from '../cases/case-views.js';
import type { FrameService } from '../frames/frame-service.js';
import { analysisGeometry, displaySize } from '../index/index-service.js';
import type { Store } from '../store/store.js';
import type { PartRow } from '../store/rows.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';

/** What the tools need of a host; an AppHost is one. */
export interface AgentToolDeps {
  store: Store;
  worker: WorkerSupervisor;
  layout: DataLayout;
  frames: Pick<FrameService, 'frameTimes'>;
  views: Pick<CaseViews, 'tracks' | 'rawTracks'>;
}

/** Longest side of crop frames: what vision-language models take in without downscaling much. */
export const MODEL_FRAME_SIZE = 768;
/** Storyboard frames are for orientation only. */
export const STORYBOARD_FRAME_SIZE = 384;
export const STORYBOARD_FRAMES = 12;
/** More frames than a model can use in one look; the engine's budget normally caps lower. */
export const MAX_CROP_FRAMES = 32;

const SAMPLE_TRACKS = ['blood', 'haze', 'outOfBody', 'brightness'] as const satisfies readonly (keyof AgentFrameFeatures & TrackName)[];

interface CaseContext {
  parts: PartRow[];
  timeline: CaseTimeline;
}

interface Extracted {
  frame: PlannedFrame;
  ref: string;
  width: number;
  height: number;
  features: AgentFrameFeatures | null;
}

function canceled(signal: AbortSignal): void {
  if (signal.aborted) throw new OpscopeError('canceled', 'Canceled.');
}

function finite(name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new OpscopeError('invalid-input', `${name} must be a number of seconds.`);
  return v;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * The agent's tools on one case, in case time: the overview (storyboard and per-second tracks),
 * crop_video (frames spread over a window, snapped to real frames across part boundaries, each
 * with its own signal values) and get_frame (one frame at full resolution). Frames are labelled
 * with their case time and stored under the data folder; their refs are served by MediaFiles.
 * Times outside the case are clamped into it (the engine reports clamping to the model).
 */
export function createAgentTools(deps: AgentToolDeps, caseId: string): AgentTools {
  const context = (): CaseContext => {
    if (!deps.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
    const parts = deps.store.partsOf(caseId);
    if (parts.length === 0) throw new OpscopeError('not-found', 'This case has no recordings.');
    return { parts, timeline: timelineOf(parts) };
  };

  /** Real frames at the case times, fetching only the touched parts' frame timestamps. */
  const plan = async (ctx: CaseContext, times: number[], signal: AbortSignal): Promise<PlannedFrame[]> => {
    const touched = new Set(times.map((t) => ctx.timeline.locate(t).index));
    const frameTimes: Float64Array[] = ctx.parts.map(() => new Float64Array(0));
    for (const i of touched) frameTimes[i] = await deps.frames.frameTimes(ctx.parts[i]!.id, signal);
    const planned = snapToFrames(ctx.timeline, frameTimes, times);
    if (planned.length === 0) throw new OpscopeError('unsupported-media', 'The recording has no video frames there.');
    return planned;
  };

  /**
   * Writes the frames (one worker job per part, parts one after another so that two decoders at
   * most share the machine). Without features, frames already on disk are reused: a name fixes
   * the frame, its size and its label.
   */
  const extract = async (ctx: CaseContext, planned: PlannedFrame[], size: number, features: boolean, signal: AbortSignal): Promise<Extracted[]> => {
    const out: Extracted[] = [];
    const byPart = new Map<number, PlannedFrame[]>();
    for (const f of planned) byPart.set(f.partIndex, [...(byPart.get(f.partIndex) ?? []), f]);
    for (const [partIndex, frames] of byPart) {
      canceled(signal);
      const part = ctx.parts[partIndex]!;
      if (!existsSync(part.path)) {
        throw new OpscopeError('not-found', `${part.file_name} is missing from ${part.path}. Import it again from its new place to relink it.`);
      }
      const name = (f: PlannedFrame) => `${f.index}-${size}-${Math.round(f.caseTime * 1000)}`;
      const ref = (f: PlannedFrame) => `${part.id}/${name(f)}`;
      const todo: PlannedFrame[] = [];
      for (const f of frames) {
        const cached = features ? null : await cachedSize(deps.layout.agentFrame(caseId, part.id, name(f)));
        if (cached) out.push({ frame: f, ref: ref(f), ...cached, features: null });
        else todo.push(f);
      }
      if (todo.length === 0) continue;
      const { w, h } = displaySize(part);
      const fov = features ? deps.store.fov(part.id) : null;
      const result = await deps.worker.run(
        'agentFrames',
        {
          path: part.path,
          frames: todo.map((f) => ({ index: f.index, time: f.time, seek: f.seek, caseTime: f.caseTime, name: name(f) })),
          outDir: deps.layout.agentFramesDir(caseId, part.id),
          size,
          source: { width: w, height: h },
          // The index's own mask and size, so the values compare with the index's tracks; an
          // unindexed part is measured over the whole picture.
          analysis: !features ? null : fov ? { ...fov } : { ...analysisGeometry(part), mask: new Uint8Array(0) },
        },
        { signal },
      );
      result.frames.forEach((r: AgentFrameResult, k) => {
        out.push({ frame: todo[k]!, ref: ref(todo[k]!), width: r.width, height: r.height, features: r.features });
      });
    }
    return out.sort((a, b) => a.frame.caseTime - b.frame.caseTime);
  };

  const series = (): Partial<Record<TrackName, number[]>> =>
    Object.fromEntries(deps.views.tracks(caseId).tracks.map((t) => [t.name, t.values]));

  const toRef = (e: Extracted): FrameRef => ({ time: round3(e.frame.caseTime), ref: e.ref });

  return {
    async overview(signal) {
      canceled(signal);
      const ctx = context();
      const planned = await plan(ctx, spreadTimes(0, ctx.timeline.duration, STORYBOARD_FRAMES), signal);
      const frames = await extract(ctx, planned, STORYBOARD_FRAME_SIZE, false, signal);
      const tracks = series();
      const result: OverviewResult = { frames: frames.map(toRef), tracks: summarizeTracks(tracks), series: tracks };
      return result;
    },

    async cropVideo(start, end, count, signal) {
      canceled(signal);
      const ctx = context();
      const duration = ctx.timeline.duration;
      const from = Math.max(0, finite('start', start));
      const to = Math.min(duration, finite('end', end));
      if (!(to > from)) throw new OpscopeError('invalid-input', `The window ${start}..${end} s holds no video (the case lasts ${round3(duration)} s).`);
      const k = Math.min(MAX_CROP_FRAMES, Math.max(1, Math.floor(finite('frames', count))));
      const planned = await plan(ctx, spreadTimes(from, to, k), signal);
      const frames = await extract(ctx, planned, MODEL_FRAME_SIZE, true, signal);
      const tracks = series();
      const ranges = sampleRanges(deps.views.rawTracks(caseId).raw);
      const result: CropResult = {
        frames: frames.map(toRef),
        signals: summarizeTracks(tracks, { from, to }),
        samples: frames.map((e) => frameSignals(e, ranges)),
      };
      return result;
    },

    async getFrame(time, signal): Promise<FrameInfo> {
      canceled(signal);
      const ctx = context();
      const planned = await plan(ctx, [finite('time', time)], signal);
      const [frame] = await extract(ctx, planned, 0, false, signal);
      return { ...toRef(frame!), width: frame!.width, height: frame!.height };
    },
  };
}

async function cachedSize(file: string): Promise<{ width: number; height: number } | null> {
  if (!existsSync(file)) return null;
  return pngSize(file).catch(() => null);
}

/** Display ranges of the case's tracks, so a frame's raw value lands on its track's scale. */
function sampleRanges(raw: Map<TrackName, Float32Array>): Partial<Record<(typeof SAMPLE_TRACKS)[number], DisplayRange>> {
  const out: Partial<Record<(typeof SAMPLE_TRACKS)[number], DisplayRange>> = {};
  for (const name of SAMPLE_TRACKS) {
    const values = raw.get(name);
    const range = values ? displayRange(name, values) : null;
    if (range) out[name] = range;
  }
  return out;
}

/** -1 where the case has no track to scale against yet (not indexed), as in the tracks. */
function frameSignals(e: Extracted, ranges: ReturnType<typeof sampleRanges>): FrameSignals {
  const value = (name: (typeof SAMPLE_TRACKS)[number]) => {
    const range = ranges[name];
    const raw = e.features?.[name];
    return range && raw !== undefined ? round3(toDisplay(raw, range)) : -1;
  };
  return {
    time: round3(e.frame.caseTime),
    blood: value('blood'),
    haze: value('haze'),
    outOfBody: value('outOfBody'),
    brightness: value('brightness'),
  };
}
