import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type {
  ExportBatchResult, ExportCaptions, ExportDone, ExportPreview, ExportProgress, ExportResult, MaskRect, MaskRegion, PersonMask,
} from '../../../../main/core/contract/export-schemas.js';
import type { TrainingSetResult } from '../../../../main/core/contract/feedback-schemas.js';
import { parseTime } from '../../../../main/core/time-format.js';
import { errorMessage } from '../api/index.js';
import {
  clipFileName, clockMs, folderOf, isFullPath, joinPath, slug, snapToFrame, trainingFileName, windowProblem, withoutCliHints,
} from '../review/review.js';
import type { Evidence } from '../agent/run-view.js';
import type { OpenCase } from './open-case.svelte.js';
import type { Toasts } from './toasts.svelte.js';

const FOLDER_KEY = 'opscope.exportFolder';

/** The evidence item a clip is cut for, with its window as reviewed. */
export interface ClipEvidence {
  id: string;
  rank: number;
  claim: string;
  start: number;
  end: number;
  adjusted: boolean;
}

export type ExportTarget =
  | {
      kind: 'clip';
      caseId: string;
      caseName: string;
      duration: number;
      evidence: ClipEvidence | null;
      start: number;
      end: number;
      /** The frame edge nearest a typed time, so a typed range cuts where the player shows it. */
      snap: (t: number) => number;
    }
  | { kind: 'batch'; caseId: string; caseName: string; items: { id: string; rank: number; question: string }[] };

export type ExportPhase = 'form' | 'running' | 'done' | 'failed';

export interface TrainingExport {
  caseId: string | null;
  caseName: string | null;
  /** Only this case, or every case. */
  scope: 'case' | 'all';
  out: string;
  overwrite: boolean;
  running: boolean;
  result: TrainingSetResult | null;
  error: string | null;
}

/**
 * Teaching-clip exports (one clip, or the confirmed items of a case) and the training-set export:
 * the dialogs' fields, the running export's progress and its outcome. An export keeps running
 * when its dialog is closed; its outcome is then told in a toast.
 */
export class Exporter {
  target = $state.raw<ExportTarget | null>(null);
  phase = $state<ExportPhase>('form');

  out = $state('');
  outDir = $state('');
  prefix = $state('clip');
  startText = $state('');
  endText = $state('');
  captions = $state<ExportCaptions>('vtt');
  streamCopy = $state(false);
  keepAudio = $state(false);
  keepMetadata = $state(false);
  title = $state('');
  overwrite = $state(false);

  /** De-identified clip: burned-in text masked, out-of-body frames hidden, no sound, no metadata. */
  deidentify = $state(false);
  maskStyle = $state<'blur' | 'box'>('blur');
  outOfBody = $state<'blur' | 'card' | 'none'>('blur');
  /** Rectangles drawn or typed by the reviewer (recording pixels). */
  maskAdd = $state.raw<MaskRect[]>([]);
  /** Boxes of found text the reviewer chose not to mask. */
  maskRemove = $state.raw<MaskRect[]>([]);
  /** People and faces: blurred to blocks, covered by a box, or left (only with out-of-body frames hidden). */
  peopleStyle = $state<'blur' | 'box' | 'none'>('blur');
  /** People boxes drawn by the reviewer, and found ones taken out. */
  peopleAdd = $state.raw<MaskRect[]>([]);
  peopleRemove = $state.raw<MaskRect[]>([]);
  /** What a drag on the preview frame adds: a text rectangle or a person box. */
  drawKind = $state<'text' | 'person'>('text');
  /** What the server found in the range, for the reviewer to check before exporting. */
  preview = $state.raw<ExportPreview | null>(null);
  previewing = $state(false);
  previewError = $state<string | null>(null);

  /** The call that starts the export is on its way. */
  starting = $state(false);
  exportId = $state<string | null>(null);
  progress = $state<{ fraction: number; stage: string; item?: number | undefined; items?: number | undefined } | null>(null);
  result = $state.raw<ExportResult | null>(null);
  batch = $state.raw<ExportBatchResult | null>(null);
  error = $state<{ message: string; canceled: boolean } | null>(null);

  training = $state<TrainingExport | null>(null);

  /** The range typed in the dialog (clock or seconds), on frame edges. */
  range = $derived.by(() => {
    const t = this.target;
    if (t?.kind !== 'clip') return { start: null, end: null };
    // Text left as shown stands for the exact time it was made from.
    const read = (text: string, exact: number) => {
      if (text.trim() === clockMs(exact)) return exact;
      const v = parseTime(text);
      return v === null || v < 0 || v > t.duration ? v : t.snap(v);
    };
    return { start: read(this.startText, t.start), end: read(this.endText, t.end) };
  });

  /** What keeps the export from starting, in words. */
  formProblem = $derived.by((): string | null => {
    const t = this.target;
    if (!t) return null;
    if (t.kind === 'clip') {
      const p = windowProblem(this.range.start, this.range.end, t.duration);
      if (p) return p;
      const out = this.out.trim();
      if (!out) return 'Give the file to write.';
      if (!isFullPath(out)) return 'Give the full path of the clip, starting at the root of a disk.';
      if (!/\.(mp4|m4v|mov)$/i.test(out)) return 'The clip must be an .mp4, .m4v or .mov file.';
    } else {
      const dir = this.outDir.trim();
      if (!dir) return 'Give the folder to write the clips in.';
      if (!isFullPath(dir)) return 'Give the full path of the folder, starting at the root of a disk.';
      if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,60}$/.test(this.prefix)) return 'Start the file names with a letter or digit; use letters, digits, space, _ . - only.';
    }
    if (this.deidentify) {
      if (this.streamCopy) return 'De-identification draws masks into the picture, which needs re-encoding: turn off fast mode.';
      if (this.keepAudio) return 'A de-identified clip has no sound: turn off keeping the audio.';
      if (this.keepMetadata) return 'A de-identified clip has no metadata: turn off keeping the metadata.';
      if (this.peopleStyle === 'none' && this.outOfBody === 'none') return 'People can be left unmasked only when out-of-body frames are blurred or carded.';
    }
    if (this.streamCopy && this.captions === 'burn') return 'Burned captions need re-encoding: turn off fast mode, or write the captions as a WebVTT file.';
    if (this.streamCopy && this.title.trim()) return 'A title card needs re-encoding: turn off fast mode to add one.';
    return null;
  });

  /** The masks shown were found for another range than the one typed now. */
  previewStale = $derived.by(() => {
    const p = this.preview;
    const { start, end } = this.range;
    if (!p || start === null || end === null) return false;
    return Math.abs(p.start - start) > 5e-4 || Math.abs(p.end - end) > 5e-4;
  });

  /** Exports finished before the call that started them returned (their id was not known yet). */
  private early: Record<string, ExportDone> = {};

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    private readonly dataDir: () => string | null,
  ) {}

  /** Where exports go unless the user chose another folder before. */
  defaultFolder(): string {
    const last = localStorage.getItem(FOLDER_KEY);
    if (last) return last;
    const data = this.dataDir();
    return data ? joinPath(data, 'exports') : '';
  }

  show(target: ExportTarget): void {
    if (this.phase === 'running') {
      this.toasts.info('An export is running', 'Wait for it to finish, or cancel it, before starting another.');
      this.target = this.target ?? target;
      return;
    }
    this.target = target;
    this.phase = 'form';
    this.result = null;
    this.batch = null;
    this.error = null;
    this.progress = null;
    this.exportId = null;
    this.maskAdd = [];
    this.maskRemove = [];
    this.peopleAdd = [];
    this.peopleRemove = [];
    this.preview = null;
    this.previewError = null;
    const folder = this.defaultFolder();
    if (target.kind === 'clip') {
      this.startText = clockMs(target.start);
      this.endText = clockMs(target.end);
      this.out = folder ? joinPath(folder, clipFileName(target.caseName, { rank: target.evidence?.rank, start: target.start, end: target.end })) : '';
    } else {
      this.outDir = folder;
      this.prefix = slug(target.caseName, 'clip');
    }
  }

  /** Every confirmed item of a case (correct or adjusted), one clip each, in the order they were asked. */
  async showConfirmed(caseId: string, caseName: string): Promise<void> {
    try {
      const items = await this.api.call('feedback.list', { filter: 'confirmed', caseId });
      if (items.length === 0) {
        this.toasts.info('Nothing confirmed yet', 'Mark evidence as correct, or adjust its window, to export it as teaching clips.');
        return;
      }
      this.show({ kind: 'batch', caseId, caseName, items: items.map((i) => ({ id: i.evidenceId, rank: i.rank, question: i.question })) });
    } catch (err) {
      this.toasts.error('Could not read the confirmed evidence', err);
    }
  }

  /** Closes the dialog; a running export goes on and says how it ended in a toast. */
  close(): void {
    this.target = null;
  }

  /** The typed range differs from the evidence window (it then overrides it). */
  private rangeOverrides(t: Extract<ExportTarget, { kind: 'clip' }>): boolean {
    const { start, end } = this.range;
    if (!t.evidence || start === null || end === null) return true;
    return Math.abs(start - t.evidence.start) > 5e-4 || Math.abs(end - t.evidence.end) > 5e-4;
  }

  async start(): Promise<void> {
    const t = this.target;
    if (!t || this.formProblem || this.starting || this.phase === 'running') return;
    const options = {
      captions: this.captions,
      streamCopy: this.streamCopy,
      keepAudio: this.keepAudio,
      keepMetadata: this.keepMetadata,
      overwrite: this.overwrite,
      ...(this.title.trim() ? { titleCard: { text: this.title.trim(), seconds: 3 } } : {}),
      ...(this.deidentify
        ? { deidentify: { ...this.deidOptions(), add: this.maskAdd, remove: this.maskRemove, addPeople: this.peopleAdd, removePeople: this.peopleRemove } }
        : {}),
    };
    this.starting = true;
    this.error = null;
    try {
      let exportId: string;
      if (t.kind === 'clip') {
        const { start, end } = this.range;
        const window = this.rangeOverrides(t) && start !== null && end !== null ? { start, end } : {};
        ({ exportId } = await this.api.call('export.clip', {
          caseId: t.caseId,
          ...(t.evidence ? { evidenceId: t.evidence.id } : {}),
          ...window,
          out: this.out.trim(),
          ...options,
        }));
      } else {
        ({ exportId } = await this.api.call('export.batch', {
          caseId: t.caseId,
          evidenceIds: t.items.map((i) => i.id),
          outDir: this.outDir.trim(),
          prefix: this.prefix,
          ...options,
        }));
      }
      this.exportId = exportId;
      this.phase = 'running';
      this.progress = { fraction: 0, stage: 'Starting' };
      const done = this.early[exportId];
      this.early = {};
      if (done) this.onDone(done);
    } catch (err) {
      // Refused before anything was written (a bad path, an existing file, a missing recording).
      this.phase = 'failed';
      this.error = { message: withoutCliHints(errorMessage(err)), canceled: false };
    } finally {
      this.starting = false;
    }
  }

  // ---- de-identification masks --------------------------------------------------------------

  /** Turns de-identification on or off; on, what it rules out is turned off. */
  setDeidentify(on: boolean): void {
    this.deidentify = on;
    if (on) {
      this.streamCopy = false;
      this.keepAudio = false;
      this.keepMetadata = false;
    }
  }

  /** Asks the server what it would mask in the typed range (OCR of a frame a second: takes a while). */
  async findMasks(): Promise<void> {
    const t = this.target;
    const { start, end } = this.range;
    if (t?.kind !== 'clip' || start === null || end === null || end <= start || this.previewing) return;
    this.previewing = true;
    this.previewError = null;
    try {
      this.preview = await this.api.call('export.preview', {
        caseId: t.caseId,
        start,
        end,
        deidentify: this.deidOptions(),
      });
    } catch (err) {
      this.previewError = withoutCliHints(errorMessage(err));
    } finally {
      this.previewing = false;
    }
  }

  private deidOptions() {
    return { mask: this.maskStyle, outOfBody: this.outOfBody, text: true, people: this.peopleStyle };
  }

  isPersonRemoved(r: PersonMask): boolean {
    return this.peopleRemove.some((b) => sameRect(b, r.box));
  }

  /** A found person: masked unless the reviewer takes it out; a second click puts it back. */
  togglePerson(r: PersonMask): void {
    this.peopleRemove = this.isPersonRemoved(r) ? this.peopleRemove.filter((b) => !sameRect(b, r.box)) : [...this.peopleRemove, r.box];
  }

  removeAddedPerson(index: number): void {
    this.peopleAdd = this.peopleAdd.filter((_, i) => i !== index);
  }

  isRemoved(r: MaskRegion): boolean {
    return this.maskRemove.some((b) => sameRect(b, r.box));
  }

  /** Found text: masked unless the reviewer takes it out; a second click puts it back. */
  toggleRegion(r: MaskRegion): void {
    this.maskRemove = this.isRemoved(r) ? this.maskRemove.filter((b) => !sameRect(b, r.box)) : [...this.maskRemove, r.box];
  }

  /** A rectangle the reviewer drew or typed, kept inside the picture; false when nothing is left of it. */
  addRect(r: MaskRect, frame: { width: number; height: number }, kind: 'text' | 'person' = 'text'): boolean {
    const x0 = Math.max(0, Math.min(frame.width, Math.round(r[0])));
    const y0 = Math.max(0, Math.min(frame.height, Math.round(r[1])));
    const x1 = Math.max(0, Math.min(frame.width, Math.round(r[0] + r[2])));
    const y1 = Math.max(0, Math.min(frame.height, Math.round(r[1] + r[3])));
    if (x1 - x0 < 2 || y1 - y0 < 2) return false;
    if (kind === 'person') this.peopleAdd = [...this.peopleAdd, [x0, y0, x1 - x0, y1 - y0]];
    else this.maskAdd = [...this.maskAdd, [x0, y0, x1 - x0, y1 - y0]];
    return true;
  }

  removeAdded(index: number): void {
    this.maskAdd = this.maskAdd.filter((_, i) => i !== index);
  }

  async cancel(): Promise<void> {
    const id = this.exportId;
    if (!id || this.phase !== 'running') return;
    try {
      await this.api.call('export.cancel', { exportId: id });
    } catch (err) {
      this.toasts.error('Could not cancel the export', err);
    }
  }

  /** Back from a failure to the form, to change something and try again. */
  edit(): void {
    this.phase = 'form';
    this.error = null;
  }

  onProgress(p: ExportProgress): void {
    if (p.exportId !== this.exportId || this.phase !== 'running') return;
    this.progress = { fraction: p.fraction, stage: p.stage, item: p.item, items: p.items };
  }

  onDone(d: ExportDone): void {
    if (d.exportId !== this.exportId) {
      if (this.starting) this.early[d.exportId] = d;
      return;
    }
    const visible = this.target !== null;
    if (d.error) {
      const canceled = d.error.code === 'canceled';
      this.phase = 'failed';
      this.error = { message: withoutCliHints(d.error.message), canceled };
      if (!visible && !canceled) this.toasts.show('error', 'The export failed', `${d.error.message}\nNothing partial was left.`);
      return;
    }
    this.phase = 'done';
    this.result = d.result;
    this.batch = d.batch;
    this.progress = { fraction: 1, stage: 'Done' };
    const first = d.result?.output ?? d.batch?.clips[0]?.output;
    if (first) localStorage.setItem(FOLDER_KEY, d.batch ? d.batch.outDir : folderOf(first));
    if (!visible) {
      const where = d.result ? d.result.output : d.batch ? `${d.batch.clips.length} clips in ${d.batch.outDir}` : '';
      this.toasts.success('Teaching clip exported', where);
    }
  }

  // ---- training set ----------------------------------------------------------------------

  showTraining(caseId: string | null, caseName: string | null): void {
    const folder = this.defaultFolder();
    this.training = {
      caseId,
      caseName,
      scope: caseId ? 'case' : 'all',
      out: folder ? joinPath(folder, trainingFileName(caseName)) : '',
      overwrite: false,
      running: false,
      result: null,
      error: null,
    };
  }

  closeTraining(): void {
    if (!this.training?.running) this.training = null;
  }

  trainingProblem(tr: TrainingExport): string | null {
    const out = tr.out.trim();
    if (!out) return 'Give the file to write.';
    if (!isFullPath(out)) return 'Give the full path of the file, starting at the root of a disk.';
    return null;
  }

  async exportTraining(): Promise<void> {
    const tr = this.training;
    if (!tr || tr.running || this.trainingProblem(tr)) return;
    tr.running = true;
    tr.error = null;
    tr.result = null;
    try {
      const r = await this.api.call('feedback.exportTrainingSet', {
        out: tr.out.trim(),
        overwrite: tr.overwrite,
        ...(tr.scope === 'case' && tr.caseId ? { caseId: tr.caseId } : {}),
      });
      tr.result = r;
      localStorage.setItem(FOLDER_KEY, folderOf(r.out));
    } catch (err) {
      tr.error = withoutCliHints(errorMessage(err));
    } finally {
      tr.running = false;
    }
  }
}

function sameRect(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A clip of an evidence item (its window as reviewed) or of a range of the open case. */
export function clipTarget(current: OpenCase, e: Evidence | null, w: { start: number; end: number }): ExportTarget {
  const reviewed = e ? current.reviews.windowOf(e) : null;
  return {
    kind: 'clip',
    caseId: current.id,
    caseName: current.detail.name,
    duration: current.duration,
    evidence: e && reviewed ? { id: e.id, rank: e.rank, claim: e.claim, start: reviewed.start, end: reviewed.end, adjusted: reviewed.adjusted } : null,
    start: w.start,
    end: w.end,
    snap: (t) => snapToFrame(t, current.reviews.sources, current.duration),
  };
}
