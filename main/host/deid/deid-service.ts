import { frameIndexAt, medianFrameDuration } from '../../core/case-time.js';
import { PEOPLE_NONE_REFUSED, type Deidentify, type ExportPreview, type MaskRegion, type PersonMask } from '../../core/contract/export-schemas.js';
import { candidateSpans, joinSpans, outsideSpans, type Span } from '../../core/deid/out-of-body-spans.js';
import { removedBy, trackTextRegions, type Rect, type TextRegion } from '../../core/deid/text-regions.js';
import { FACE_MIN, PERSON_MIN, personRemoved, trackPeople, type PeopleSample } from '../../core/deid/people-regions.js';
import { OpscopeError } from '../../core/errors.js';
import type { DeidFramesResult, OcrDeviceInfo, OcrText } from '../../core/worker-protocol.js';
import type { CaseViews } from '../cases/case-views.js';
import { analysisGeometry, displaySize, timelineOf } from '../cases/case-model.js';
import type { FrameService } from '../frames/frame-service.js';
import type { PartRow } from '../store/rows.js';
import type { Store } from '../store/store.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';
import { round3 } from '../../core/round.js';

/** Seconds between frames read for text; the first and last frame of a range are read too. */
export const OCR_SAMPLE_INTERVAL = 1;
/** Above this many frames a range is sampled more sparsely: a preview must answer in minutes, not hours. */
const MAX_OCR_SAMPLES = 240;
/** Ranges remembered, so the export after a preview does not read the same frames again. */
const CACHE_SIZE = 16;

export type DeidOptions = Deidentify;

export interface DeidPlan {
  start: number;
  end: number;
  /** Every region found or added, with `removed` set on those the reviewer took out. */
  regions: MaskRegion[];
  /** Every person or face found or drawn, with `removed` set on those the reviewer took out. */
  people: PersonMask[];
  /** Frames read where someone was found inside spans called inside the patient (masked all the same). */
  peopleInsidePatientView: number;
  /** Frames filmed outside the patient (checked even when they are kept: people there are looked for harder). */
  outOfBody: Span[];
  /** Frames sampled for text and people (about one a second), each decoded and compared. */
  samples: number;
  /** ... of which the text reader and the people detectors read; the others looked like the frame read before them. */
  framesRead: number;
  /** Frames scored for out-of-body views. */
  checkedFrames: number;
  ocr: (OcrDeviceInfo & { ms: number }) | null;
  /** Where the people detectors ran and how long they took; null when people were not looked for. */
  vision: { backend: string; models: { objects: string; faces: string }; ms: number } | null;
}

interface PartReads {
  regions: TextRegion[];
  people: PeopleSample[];
  samples: number;
  read: number;
  ocr: (OcrDeviceInfo & { ms: number }) | null;
  vision: DeidFramesResult['vision'];
}

type Progress = (fraction: number, stage: string) => void;

/**
 * What de-identifying a case range masks: burned-in text and people (OCR and the person and face
 * detectors over sampled frames, each decoded once, on the model worker, whose blocking sessions
 * must not delay frames) and frames filmed outside the patient (the index's out-of-body track,
 * checked frame by frame on the media worker).
 */
export class DeidService {
  /** Keyed by the frames read or checked, so a preview and the export of the same range share them. */
  private readonly textCache = new Map<string, DeidFramesResult>();
  private readonly oobCache = new Map<string, Float32Array>();

  constructor(
    private readonly store: Store,
    private readonly worker: WorkerSupervisor,
    private readonly modelWorker: WorkerSupervisor,
    private readonly frames: FrameService,
    private readonly views: CaseViews,
  ) {}

  /** The burned-in text of the frame on screen at a case time; boxes in the recording's pixels. */
  async ocrAt(caseId: string, time: number, signal?: AbortSignal): Promise<{ time: number; partId: string; width: number; height: number; texts: OcrText[]; info: OcrDeviceInfo }> {
    const parts = this.parts(caseId);
    const tl = timelineOf(parts);
    const pos = tl.locate(time);
    const part = parts[pos.index]!;
    const times = await this.frames.frameTimes(part.id, signal);
    if (times.length === 0) throw new OpscopeError('unsupported-media', `${part.file_name} has no video frames.`);
    const i = frameIndexAt(times, pos.offset);
    const { w, h } = displaySize(part);
    const r = await this.modelWorker.run(
      'ocrFrame',
      { path: part.path, seek: seekOf(times, i), source: { width: w, height: h }, device: 'auto' },
      signal ? { signal } : {},
    );
    return { time: tl.starts[pos.index]! + times[i]!, partId: part.id, width: r.width, height: r.height, texts: r.texts, info: r.info };
  }

  /** What a de-identified export of [start, end) masks. */
  async plan(caseId: string, start: number, end: number, opts: DeidOptions, signal?: AbortSignal, progress: Progress = () => undefined): Promise<DeidPlan> {
    if (opts.people === 'none' && opts.outOfBody === 'none') throw new OpscopeError('invalid-input', PEOPLE_NONE_REFUSED);
    const parts = this.parts(caseId);
    const tl = timelineOf(parts);
    const pieces = tl.split(start, end).filter((s) => s.to > s.from);
    const regions: MaskRegion[] = [];
    const people: PersonMask[] = [];
    let peopleInside = 0;
    const spans: Span[] = [];
    let samples = 0;
    let framesRead = 0;
    let checkedFrames = 0;
    let ocrInfo: OcrDeviceInfo | null = null;
    let ocrMs = 0;
    let vision: DeidPlan['vision'] = null;
    let visionMs = 0;
    const lookForPeople = opts.people !== 'none';
    // Kept room frames are still checked when people are masked: there weak detections count.
    const track = opts.outOfBody === 'none' && !lookForPeople ? null : this.views.rawTracks(caseId).raw.get('outOfBody') ?? new Float32Array();
    for (const [k, s] of pieces.entries()) {
      const part = parts[s.index]!;
      const caseStart = tl.starts[s.index]!;
      const size = displaySize(part);
      const frame = { width: size.w, height: size.h };
      const times = await this.frames.frameTimes(part.id, signal);
      if (times.length === 0) continue;
      const share = (f: number) => (k + f) / pieces.length;
      const found = opts.text || lookForPeople
        ? await this.readsOf(part, times, caseStart, s.from, s.to, opts.text, lookForPeople, signal, (f) =>
            progress(share(0.85 * f), lookForPeople ? 'Looking for burned-in text and people' : 'Looking for burned-in text'))
        : null;
      if (found) {
        samples += found.samples;
        framesRead += found.read;
        if (found.ocr) {
          ocrInfo = found.ocr;
          ocrMs += found.ocr.ms;
        }
        if (found.vision) {
          visionMs += found.vision.ms;
          vision = { backend: found.vision.backend, models: found.vision.models, ms: visionMs };
        }
      }
      for (const r of found?.regions ?? []) {
        regions.push({
          id: regionId(part.id, r.box),
          partId: part.id,
          box: r.box,
          start: round3(r.start),
          end: round3(r.end),
          texts: r.texts,
          score: r.score,
          steady: r.steady,
          source: 'ocr',
          removed: removedBy(r.box, opts.remove),
        });
      }
      for (const a of opts.add) {
        const box = clampRect(a, frame);
        if (!box) continue;
        regions.push({
          id: regionId(part.id, box, 'm'),
          partId: part.id,
          box,
          start: round3(caseStart + s.from),
          end: round3(caseStart + s.to),
          texts: [],
          score: 1,
          steady: true,
          source: 'manual',
          removed: false,
        });
      }
      let partSpans: Span[] = [];
      if (track) {
        const oob = await this.outOfBodyOf(part, times, caseStart, s.from, s.to, track, signal, (f) => progress(share(0.85 + 0.15 * f), 'Checking for out-of-body frames'));
        partSpans = oob.spans;
        spans.push(...oob.spans);
        checkedFrames += oob.frames;
      }
      if (lookForPeople) {
        const tracked = trackPeople(found?.people ?? [], { start: caseStart + s.from, end: caseStart + s.to }, frame, joinSpans(partSpans));
        peopleInside += tracked.framesInsidePatientView;
        for (const r of tracked.regions) {
          people.push({
            id: regionId(part.id, r.box, `p${round3(r.start)}`),
            partId: part.id,
            box: r.box,
            start: round3(r.start),
            end: round3(r.end),
            found: r.found,
            score: r.score,
            source: 'detector',
            insidePatientView: r.insidePatientView,
            removed: personRemoved(r.box, opts.removePeople),
          });
        }
      }
      for (const a of opts.addPeople) {
        const box = clampRect(a, frame);
        if (!box) continue;
        people.push({
          id: regionId(part.id, box, 'pm'),
          partId: part.id,
          box,
          start: round3(caseStart + s.from),
          end: round3(caseStart + s.to),
          found: [],
          score: 1,
          source: 'reviewer',
          insidePatientView: false,
          removed: false,
        });
      }
      progress(share(1), 'Planning the masks');
    }
    return {
      start,
      end,
      regions,
      people,
      peopleInsidePatientView: peopleInside,
      outOfBody: joinSpans(spans).map((s) => ({ start: round3(Math.max(start, s.start)), end: round3(Math.min(end, s.end)) })).filter((s) => s.end > s.start),
      samples,
      framesRead,
      checkedFrames,
      ocr: ocrInfo ? { ...ocrInfo, ms: ocrMs } : null,
      vision,
    };
  }

  /** The plan as the export dialog shows it: with a frame of the range to draw the boxes on. */
  async preview(caseId: string, start: number, end: number, opts: DeidOptions, signal?: AbortSignal): Promise<ExportPreview> {
    const plan = await this.plan(caseId, start, end, opts, signal);
    // The middle of the range shows every steady overlay; a region seen only around one moment
    // is listed with its time.
    const still = await this.frames.get(caseId, (start + end) / 2, signal).catch(() => null);
    return {
      caseId,
      start: plan.start,
      end: plan.end,
      regions: plan.regions,
      outOfBody: plan.outOfBody,
      outOfBodyTreatment: opts.outOfBody,
      people: plan.people,
      peopleTreatment: opts.people,
      peopleInsidePatientView: plan.peopleInsidePatientView,
      vision: plan.vision ? { backend: plan.vision.backend, ms: plan.vision.ms } : null,
      samples: plan.samples,
      read: plan.framesRead,
      still: still ? { caseId: still.caseId, partId: still.partId, requested: still.requested, time: still.time, frameIndex: still.frameIndex, width: still.width, height: still.height, src: still.src } : null,
      ocr: plan.ocr ? { device: plan.ocr.device, ms: plan.ocr.ms } : null,
    };
  }

  private parts(caseId: string): PartRow[] {
    if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
    const parts = this.store.partsOf(caseId);
    if (parts.length === 0) throw new OpscopeError('not-found', 'This case has no recordings.');
    return parts;
  }

  /** Text and people on the frames sampled (one a second, each decoded once for both; the still ones passed over). */
  private async readsOf(
    part: PartRow,
    times: Float64Array,
    caseStart: number,
    from: number,
    to: number,
    text: boolean,
    people: boolean,
    signal: AbortSignal | undefined,
    progress: (f: number) => void,
  ): Promise<PartReads> {
    const indices = sampleFrames(times, from, to, OCR_SAMPLE_INTERVAL, MAX_OCR_SAMPLES);
    const { w, h } = displaySize(part);
    const key = `${part.id}|${part.fingerprint}|${caseStart}|${text}|${people}|${indices.join(',')}`;
    let r = this.textCache.get(key);
    if (!r) {
      r = await this.modelWorker.run(
        'deidFrames',
        {
          path: part.path,
          samples: indices.map((i) => ({ time: caseStart + times[i]!, seek: seekOf(times, i) })),
          source: { width: w, height: h },
          device: 'auto',
          text,
          people: people ? { person: PERSON_MIN, face: FACE_MIN } : null,
        },
        { ...(signal ? { signal } : {}), onProgress: (p) => progress(p.fraction) },
      );
      remember(this.textCache, key, r);
    }
    const regions = text
      ? trackTextRegions(
          r.samples.map((s) => ({ time: s.time, texts: s.texts.map((t) => ({ text: t.text, box: t.box, score: t.score })) })),
          { start: caseStart + from, end: caseStart + to },
          { width: w, height: h },
        )
      : [];
    return {
      regions,
      people: r.samples.map((s) => ({ time: s.time, persons: s.persons, faces: s.faces })),
      samples: r.sampled,
      read: r.samples.length,
      ocr: r.ocr,
      vision: r.vision,
    };
  }

  private async outOfBodyOf(
    part: PartRow,
    times: Float64Array,
    caseStart: number,
    from: number,
    to: number,
    track: Float32Array,
    signal: AbortSignal | undefined,
    progress: (f: number) => void,
  ): Promise<{ spans: Span[]; frames: number }> {
    // Whole seconds, so a preview and its export (whose range ends sit on frame edges) check the same frames.
    const lo = Math.max(caseStart, Math.floor(caseStart + from));
    const hi = Math.min(caseStart + part.duration, Math.ceil(caseStart + to));
    const candidates = candidateSpans(track, lo, hi);
    const fov = this.store.fov(part.id);
    const analysis = fov ? { ...fov } : { ...analysisGeometry(part), mask: new Uint8Array(0) };
    const frameDur = medianFrameDuration(times) ?? (part.fps > 0 ? 1 / part.fps : 1 / 30);
    const partEnd = Math.max(part.duration, times[times.length - 1]! + frameDur);
    const spans: Span[] = [];
    let frames = 0;
    const total = candidates.reduce((s, c) => s + (c.end - c.start), 0);
    let done = 0;
    for (const c of candidates) {
      const i0 = frameIndexAt(times, c.start - caseStart);
      let i1 = i0;
      while (i1 + 1 < times.length && times[i1 + 1]! < c.end - caseStart - 1e-6) i1++;
      const count = i1 - i0 + 1;
      const key = `${part.id}|${part.fingerprint}|${i0}|${i1}`;
      let scores = this.oobCache.get(key);
      if (!scores) {
        ({ scores } = await this.worker.run(
          'outOfBodyFrames',
          { path: part.path, seek: seekOf(times, i0), frames: count, analysis },
          signal ? { signal } : {},
        ));
        remember(this.oobCache, key, scores);
      }
      const frameTimes = Array.from(times.subarray(i0, i1 + 1), (t) => caseStart + t);
      const next = caseStart + (i1 + 1 < times.length ? times[i1 + 1]! : partEnd);
      spans.push(...outsideSpans(frameTimes, scores, next));
      frames += count;
      done += c.end - c.start;
      progress(total > 0 ? done / total : 1);
    }
    return { spans, frames };
  }
}

/** Where an accurate seek lands on frame i: between it and its predecessor. */
function seekOf(times: ArrayLike<number>, i: number): number {
  return i === 0 ? 0 : (times[i - 1]! + times[i]!) / 2;
}

/** Frame indices to read over [from, to): the first, one per interval, and the last. */
export function sampleFrames(times: Float64Array, from: number, to: number, interval: number, max: number): number[] {
  const i0 = frameIndexAt(times, from);
  let i1 = i0;
  while (i1 + 1 < times.length && times[i1 + 1]! < to - 1e-6) i1++;
  const span = Math.max(0, times[i1]! - times[i0]!);
  const step = Math.max(interval, span / Math.max(1, max - 1));
  const out = new Set<number>([i0]);
  for (let t = times[i0]! + step; t < times[i1]! - step / 4; t += step) out.add(frameIndexAt(times, t));
  out.add(i1);
  return [...out].sort((a, b) => a - b);
}

function clampRect(r: Rect, frame: { width: number; height: number }): Rect | null {
  const x0 = Math.max(0, Math.min(frame.width, r[0]));
  const y0 = Math.max(0, Math.min(frame.height, r[1]));
  const x1 = Math.max(0, Math.min(frame.width, r[0] + r[2]));
  const y1 = Math.max(0, Math.min(frame.height, r[1] + r[3]));
  return x1 - x0 >= 1 && y1 - y0 >= 1 ? [x0, y0, x1 - x0, y1 - y0] : null;
}

function regionId(partId: string, box: Rect, kind = 't'): string {
  return `${kind}-${partId}-${box.join('-')}`;
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
}

