import { existsSync } from 'node:fs';
import { fitLongestSide, snapToFrames, spreadTimes, type PlannedFrame } from '../../core/agent/frame-plan.js';
import type {
  AgentTools, CropResult, FrameDetection, FrameRef, FrameResult, FrameSignals, OverviewResult, SimilarToolResult, SimilarWindow,
} from '../../core/agent/engine/types.js';
import { summarizeTracks } from '../../core/agent/engine/track-summary.js';
import { frameWindow, type CaseTimeline } from '../../core/case-time.js';
import type { TrackName } from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { displayRange, toDisplay, type DisplayRange } from '../../core/signals/index.js';
import { passSeek, planDecodePasses } from '../../core/frame-decode-plan.js';
import type { AgentFrameFeatures, AgentFramePass, AgentFrameRequest, AgentFrameResult } from '../../core/worker-protocol.js';
import type { DataLayout } from '../../node/paths.js';
import type { CaseViews } from '../cases/case-views.js';
import { analysisGeometry, displaySize, timelineOf } from '../cases/case-model.js';
import type { FrameService, PartTiming } from '../frames/frame-service.js';
import type { ReadableStore } from '../store/store.js';
import type { PartRow } from '../store/rows.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';
import type { SimilarService } from '../similar/similar-service.js';
import { PICTURE_SPACING } from '../../core/similar/picture-model.js';
import { visionUnavailableNote, type FrameVision, type VisionTarget } from './frame-vision.js';
import { round3 } from '../../core/round.js';

/** What the tools need of a host; an AppHost is one. */
export interface AgentToolDeps {
  store: ReadableStore;
  worker: WorkerSupervisor;
  layout: DataLayout;
  frames: Pick<FrameService, 'timing' | 'recalledFeatures' | 'rememberFeatures'>;
  views: Pick<CaseViews, 'tracks' | 'rawTracks'>;
  /** The picture index; without it the tools offer no find_similar. */
  similar?: Pick<SimilarService, 'status' | 'enqueue' | 'find'>;
}

/** Longest side of crop frames: what vision-language models take in without downscaling much. */
export const MODEL_FRAME_SIZE = 768;
/*
 * Frames of one crop the detector looks at: the first, the middle and the last. Where the camera
 * was changes at most once or twice in a crop, and these say on which side of it each end lies;
 * looking at all of them cost about 0.6 s a frame on two cores, most of an answer's time.
 */
const CROP_LOOKS = 3;
/** Storyboard frames are for orientation only. */
export const STORYBOARD_FRAME_SIZE = 384;
export const STORYBOARD_FRAMES = 12;
/** More frames than a model can use in one look; the engine's budget normally caps lower. */
export const MAX_CROP_FRAMES = 32;

const SAMPLE_TRACKS = ['blood', 'haze', 'outOfBody', 'brightness'] as const satisfies readonly (keyof AgentFrameFeatures & TrackName)[];

interface CaseContext {
  parts: PartRow[];
  timeline: CaseTimeline;
  /** Frame and keyframe tables of the parts touched so far. */
  timing: (PartTiming | undefined)[];
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


/**
 * The agent's tools on one case, in case time: the overview (storyboard and per-second tracks),
 * crop_video (frames spread over a window, snapped to real frames across part boundaries, each
 * with its own signal values) and get_frame (one frame at full resolution). Frames are labelled
 * with their case time and stored under the data folder; their refs are served by MediaFiles.
 * Times outside the case are clamped into it (the engine reports clamping to the model).
 */
export function createAgentTools(deps: AgentToolDeps, caseId: string, opts: { vision?: FrameVision } = {}): AgentTools {
  const context = (): CaseContext => {
    if (!deps.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
    const parts = deps.store.partsOf(caseId);
    if (parts.length === 0) throw new OpscopeError('not-found', 'This case has no recordings.');
    return { parts, timeline: timelineOf(parts), timing: parts.map(() => undefined) };
  };

  /**
   * Real frames at the case times, fetching only the touched parts' frame tables. Times `spacing`
   * seconds apart (a crop, the storyboard) may take a keyframe nearby, which decodes alone.
   */
  const plan = async (ctx: CaseContext, times: number[], signal: AbortSignal, spacing = 0): Promise<PlannedFrame[]> => {
    const touched = new Set(times.map((t) => ctx.timeline.locate(t).index));
    for (const i of touched) ctx.timing[i] ??= await deps.frames.timing(ctx.parts[i]!.id, signal);
    const frameTimes = ctx.timing.map((t) => t?.frameTimes ?? new Float64Array(0));
    const prefer = spacing > 0 ? { keyframes: ctx.timing.map((t) => t?.keyframes ?? null), spacing } : undefined;
    const planned = snapToFrames(ctx.timeline, frameTimes, times, prefer);
    if (planned.length === 0) throw new OpscopeError('unsupported-media', 'The recording has no video frames there.');
    return planned;
  };

  /**
   * Writes the frames (one worker job per part, its frames in the decoder passes that fetch them
   * fastest; parts one after another so that two decoders at most share the machine). Frames
   * already on disk are reused: a name fixes the frame, its size and its label; with features,
   * only when their measures are also remembered.
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
      const name = (f: PlannedFrame) => frameName(f, size);
      const ref = (f: PlannedFrame) => `${part.id}/${name(f)}`;
      const { w, h } = displaySize(part);
      const dims = fitLongestSide(w, h, size);
      const fov = features ? deps.store.fov(part.id) : null;
      // The measures depend on the field-of-view mask too: a part indexed again is measured again.
      const measuredBy = !features ? '' : fov ? `${fov.width}x${fov.height}:${maskHash(fov.mask)}` : 'whole';
      const featureKey = (f: PlannedFrame) => `${part.id}/${f.index}/${measuredBy}`;
      const todo: PlannedFrame[] = [];
      for (const f of frames) {
        const onDisk = existsSync(deps.layout.agentFrame(caseId, part.id, name(f)));
        const known = features ? deps.frames.recalledFeatures(featureKey(f)) : undefined;
        if (onDisk && (!features || known)) out.push({ frame: f, ref: ref(f), ...dims, features: known ?? null });
        else todo.push(f);
      }
      if (todo.length === 0) continue;
      const times = ctx.timing[partIndex]!.frameTimes;
      const requests = todo
        .map((f): AgentFrameRequest => ({ index: f.index, time: f.time, ...frameWindow(times, f.index), caseTime: f.caseTime, name: name(f) }))
        .sort((a, b) => a.index - b.index);
      const passes: AgentFramePass[] = planDecodePasses(requests, ctx.timing[partIndex]!.keyframes).map((p) => ({
        mode: p.mode,
        ...passSeek(times, ctx.timing[partIndex]!.keyframes, p),
        frames: p.frames,
      }));
      const result = await deps.worker.run(
        'agentFrames',
        {
          path: part.path,
          startTime: part.start_time,
          passes,
          outDir: deps.layout.agentFramesDir(caseId, part.id),
          size,
          source: { width: w, height: h },
          // The index's own mask and size, so the values compare with the index's tracks; an
          // unindexed part is measured over the whole picture.
          analysis: !features ? null : fov ? { ...fov } : { ...analysisGeometry(part), mask: new Uint8Array(0) },
          // Lets the worker's warm decoder give the frames (checked against the file's own table).
          timing: { first: times[0]!, count: times.length },
        },
        { signal },
      );
      const byName = new Map(todo.map((f) => [name(f), f]));
      const asked = passes.flatMap((p) => p.frames);
      result.frames.forEach((r: AgentFrameResult, k) => {
        const f = byName.get(asked[k]!.name)!;
        if (r.features) deps.frames.rememberFeatures(featureKey(f), r.features);
        out.push({ frame: f, ref: ref(f), width: r.width, height: r.height, features: r.features });
      });
    }
    return out.sort((a, b) => a.frame.caseTime - b.frame.caseTime);
  };

  const series = (): Partial<Record<TrackName, number[]>> =>
    Object.fromEntries(deps.views.tracks(caseId).tracks.map((t) => [t.name, t.values]));

  /** At most `n` of `items`, spread from the first to the last. */
  const spreadPick = <T>(items: readonly T[], n: number): T[] => {
    if (items.length <= n) return [...items];
    return Array.from({ length: n }, (_, k) => items[Math.round((k * (items.length - 1)) / (n - 1))]!);
  };

  const toRef = (e: Extracted): FrameRef => ({ time: round3(e.frame.caseTime), ref: e.ref });

  /**
   * The detector on frames the media worker has written. Reading them again from the recording
   * instead, side by side with the media worker, was measured at about 2.4 s a frame on a 1080p
   * case (a seek and a decode of the group of pictures each): the written JPEGs cost a fraction.
   * Null without a detector.
   */
  const look = (ctx: CaseContext, frames: Extracted[], size: number, signal: AbortSignal) => {
    const { vision } = opts;
    if (!vision) return null;
    const targets = frames.map(({ frame: f, width, height }): VisionTarget => {
      const part = ctx.parts[f.partIndex]!;
      return {
        key: `${part.id}/${part.fingerprint}/${f.index}`,
        image: { kind: 'file', file: deps.layout.agentFrame(caseId, part.id, frameName(f, size)), time: f.caseTime },
        width,
        height,
      };
    });
    const planned = frames.map((e) => e.frame);
    return vision.look(targets, signal).then((r) => {
      if (!r.ok) return { byFrame: null, notes: [visionUnavailableNote(r.reason)] };
      const byFrame = new Map<string, FrameDetection[]>(planned.map((f, k) => [`${f.partIndex}/${f.index}`, r.detections[k]!]));
      return { byFrame, notes: [] as string[] };
    });
  };

  const withDetections = (e: Extracted, byFrame: Map<string, FrameDetection[]> | null | undefined): FrameRef => {
    const found = byFrame?.get(`${e.frame.partIndex}/${e.frame.index}`);
    return found ? { ...toRef(e), detections: found } : toRef(e);
  };

  /**
   * find_similar: the case's windows that look like the frame at `time`, each with the frame of
   * its most similar moment. A case without its picture index is told so, and the index is
   * queued: an empty list would read as "nothing looks like it".
   */
  const findSimilar = async (similar: NonNullable<AgentToolDeps['similar']>, time: number, limit: number, signal: AbortSignal): Promise<SimilarToolResult> => {
    canceled(signal);
    const ctx = context();
    const at = Math.min(ctx.timeline.duration, Math.max(0, finite('time', time)));
    const status = similar.status(caseId);
    if (status.frames === 0) {
      const queued = status.state === 'running' || status.state === 'pending' ? status : similar.enqueue(caseId);
      const how = queued.state === 'running' ? `being built (${Math.round(queued.progress * 100)}% done)` : 'queued to be built now';
      return {
        windows: [],
        unavailable: `this case has no picture index yet, so nothing was compared; it is ${how}, and find_similar works once it is done`,
      };
    }
    const notes: string[] = [];
    if (status.partsDone < status.parts) {
      if (status.state !== 'running' && status.state !== 'pending') similar.enqueue(caseId);
      notes.push(`the picture index covers ${status.partsDone} of ${status.parts} parts so far (${status.frames} keyframes): the rest of the case was not searched`);
    }
    const found = await similar.find({ caseId, time: at, scope: 'case', limit }, signal);
    if (found.moments.length === 0) return { windows: [], unavailable: null, notes };
    const planned = await plan(ctx, found.moments.map((m) => m.time), signal, PICTURE_SPACING);
    const frames = await extract(ctx, planned, MODEL_FRAME_SIZE, false, signal);
    const nearest = (t: number) => frames.reduce((b, e) => (Math.abs(e.frame.caseTime - t) < Math.abs(b.frame.caseTime - t) ? e : b));
    const windows: SimilarWindow[] = found.moments.map((m) => ({ start: m.start, end: m.end, score: m.score, time: m.time, frame: toRef(nearest(m.time)) }));
    return { windows, unavailable: null, notes };
  };

  const { similar } = deps;
  return {
    ...(similar ? { findSimilar: (time: number, limit: number, signal: AbortSignal) => findSimilar(similar, time, limit, signal) } : {}),

    async overview(signal) {
      canceled(signal);
      const ctx = context();
      const planned = await plan(ctx, spreadTimes(0, ctx.timeline.duration, STORYBOARD_FRAMES), signal, ctx.timeline.duration / STORYBOARD_FRAMES);
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
      const planned = await plan(ctx, spreadTimes(from, to, k), signal, (to - from) / k);
      const frames = await extract(ctx, planned, MODEL_FRAME_SIZE, true, signal);
      const vision = await look(ctx, spreadPick(frames, CROP_LOOKS), MODEL_FRAME_SIZE, signal);
      const tracks = series();
      const ranges = sampleRanges(deps.views.rawTracks(caseId).raw);
      const result: CropResult = {
        frames: frames.map((e) => withDetections(e, vision?.byFrame)),
        signals: summarizeTracks(tracks, { from, to }),
        samples: frames.map((e) => frameSignals(e, ranges)),
        ...(vision?.notes.length ? { notes: vision.notes } : {}),
      };
      return result;
    },

    async getFrame(time, signal): Promise<FrameResult> {
      canceled(signal);
      const ctx = context();
      const planned = await plan(ctx, [finite('time', time)], signal);
      const [frame] = await extract(ctx, planned, 0, false, signal);
      const vision = await look(ctx, [frame!], 0, signal);
      return { ...withDetections(frame!, vision?.byFrame), width: frame!.width, height: frame!.height, ...(vision?.notes.length ? { notes: vision.notes } : {}) };
    },
  };
}

/** A frame file's name: the frame, its size and its label fix it. */
function frameName(f: PlannedFrame, size: number): string {
  return `${f.index}-${size}-${Math.round(f.caseTime * 1000)}`;
}

/** FNV-1a of a mask: tells masks apart without keeping them. */
function maskHash(mask: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < mask.length; i++) h = Math.imul(h ^ mask[i]!, 0x01000193);
  return (h >>> 0).toString(16);
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
