import { basename } from 'node:path';
import type { ExportResult } from '../../core/contract/export-schemas.js';
import { formatClock } from '../../core/time-format.js';
import type { EvidenceItem } from '../agent/agent-repository.js';
import { APP_VERSION } from '../app/version.js';
import type { PartRow } from '../store/rows.js';
import type { ExportClipRequest } from './export-service.js';

/*
 * The manifest written beside a teaching clip (clip.json): what was asked and answered, the
 * review, where the clip lies in the case and in each recording, the options, and what
 * de-identification hid. Built from what the export found; no I/O.
 */

export const MANIFEST_FORMAT = 'opscope-clip/1';

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** A stretch of one recording the clip holds (part-relative `from`..`to`). */
export interface HeldPiece {
  part: Pick<PartRow, 'id' | 'file_name' | 'fingerprint'>;
  /** Case time where the part starts. */
  caseStart: number;
  from: number;
  to: number;
}

export interface ClipManifestInput {
  caseId: string;
  evidence: EvidenceItem | null;
  verdict: { verdict: string; reviewer: string } | null;
  result: ExportResult;
  /** The case range the clip really holds (unrounded). */
  actual: { start: number; end: number };
  held: readonly HeldPiece[];
  options: Pick<ExportClipRequest, 'out' | 'captions' | 'streamCopy' | 'keepAudio' | 'keepMetadata' | 'titleCard'>;
  titleCardSeconds: number;
  clip: { width: number; height: number; audio: boolean };
  stills: readonly { file: string; caseTime: number }[];
  /** Recordings are often named after the patient or the day: a de-identified clip leaves the names out. */
  withholdFileNames: boolean;
  /** What de-identification did (built by the de-identification code), or `{ applied: false }`. */
  deidentification: object;
  createdAt: string;
}

export function clipManifest(m: ClipManifestInput) {
  const ev = m.evidence;
  return {
    format: MANIFEST_FORMAT,
    app: { name: 'Opscope', version: APP_VERSION },
    createdAt: m.createdAt,
    caseId: m.caseId,
    evidenceId: ev?.id ?? null,
    runId: ev?.runId ?? null,
    question: ev?.question ?? null,
    claim: ev?.claim ?? null,
    answer: ev?.answer ?? null,
    evidenceWindow: ev ? { start: ev.start, end: ev.end, corrected: ev.corrected } : null,
    verdict: ev ? m.verdict : null,
    caseRange: {
      requested: m.result.requested,
      actual: m.result.actual,
      actualClock: { start: formatClock(m.actual.start), end: formatClock(m.actual.end) },
    },
    source: m.held.map((p) => ({
      partId: p.part.id,
      fileName: m.withholdFileNames ? null : p.part.file_name,
      fingerprint: p.part.fingerprint,
      from: round6(p.from),
      to: round6(p.to),
      caseStart: round6(p.caseStart),
    })),
    mode: m.result.mode,
    snappedToKeyframes: m.options.streamCopy,
    options: {
      captions: m.options.captions,
      streamCopy: m.options.streamCopy,
      keepAudio: m.options.keepAudio,
      keepMetadata: m.options.keepMetadata,
      titleCard: m.options.titleCard ?? null,
    },
    clip: {
      file: basename(m.options.out),
      duration: m.result.duration,
      titleCardSeconds: m.titleCardSeconds,
      width: m.clip.width,
      height: m.clip.height,
      audio: m.clip.audio,
      bytes: m.result.bytes,
    },
    captions: { file: m.result.vtt ? basename(m.result.vtt) : null, burned: m.options.captions === 'burn' },
    stills: m.stills.map((s) => ({ file: basename(s.file), caseTime: round6(s.caseTime), clock: formatClock(s.caseTime) })),
    deidentification: m.deidentification,
  };
}
