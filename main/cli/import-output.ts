import type { CaseDetail, ImportResult } from '../core/contract/schemas.js';
import { round3 } from '../core/round.js';

/**
 * What `opscope import --json` prints (and `opscope pacs get --json`, which imports what it
 * retrieved): the first case with its parts, every file's outcome and error, and every case made.
 */
export function importJson(cases: CaseDetail[], results: ImportResult[]) {
  const main = cases[0];
  const errors = results.flatMap((r) => r.errors);
  const imported = results.flatMap((r) => r.files);
  return {
    caseId: main?.id ?? null,
    name: main?.name ?? null,
    duration: main?.duration ?? 0,
    parts: (main?.parts ?? []).map((p) => ({
      path: p.path, duration: p.duration, width: p.width, height: p.height, fps: round3(p.fps), codec: p.codec,
      ...(p.dicom ? { dicom: { path: p.dicom.path, sopInstanceUid: p.dicom.sopInstanceUid, seriesInstanceUid: p.dicom.seriesInstanceUid, studyInstanceUid: p.dicom.studyInstanceUid } } : {}),
    })),
    errors: errors.map((e) => ({ path: e.path, message: e.message })),
    files: imported.map((f) => ({ path: f.path, caseId: f.caseId, outcome: f.outcome })),
    index: main?.index ?? null,
    ...(cases.length > 1 ? { cases: cases.map((c) => ({ caseId: c.id, name: c.name, duration: c.duration })) } : {}),
  };
}

/** The case ids an import touched: the cases it made, else those its files were already in. */
export function importedCaseIds(results: ImportResult[]): string[] {
  return [...new Set(results.flatMap((r) => (r.caseId ? [r.caseId] : r.files.map((f) => f.caseId))))];
}
