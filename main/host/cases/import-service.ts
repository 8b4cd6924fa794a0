import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { caseNameForSeries, groupBySeries, orderInstances, safeFileName, type DicomInstanceInfo } from '../../core/dicom/instance.js';
import type { ImportError, ImportResult, ImportedFile } from '../../core/contract/schemas.js';
import { OpscopeError, serializeError } from '../../core/errors.js';
import { playbackFor } from '../../core/media-info.js';
import type { InspectResult } from '../../core/worker-protocol.js';
import { findDicomInstances, readDicomdir } from '../../node/dicom/find-instances.js';
import type { EventBus } from '../event-bus.js';
import type { DicomRecords } from '../pacs/dicom-repository.js';
import type { NewPart, Store } from '../store/store.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';

export interface ImportRequest {
  paths: string[];
  name?: string | undefined;
  mode: 'one-case' | 'case-per-file';
  /** Relative paths are resolved against this folder (the CLI's working directory). */
  cwd?: string;
  isDemo?: boolean;
}

interface Inspected {
  path: string;
  info: InspectResult;
}

interface InspectedDicom extends Inspected {
  dicom: DicomInstanceInfo;
}

/**
 * DICOM folders and DICOMDIRs become the instance files they hold; other paths stay as given.
 * A DICOMDIR entry whose file is missing is an error of its own.
 */
export async function expandDicomPaths(paths: string[]): Promise<{ paths: string[]; errors: ImportError[] }> {
  const out: string[] = [];
  const errors: ImportError[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => null);
    try {
      const found = st?.isDirectory() ? await findDicomInstances(p) : st?.isFile() && basename(p).toUpperCase() === 'DICOMDIR' ? await readDicomdir(p) : null;
      if (!found || (found.files.length === 0 && !found.dicomdir)) {
        out.push(p);
        continue;
      }
      out.push(...found.files);
      for (const m of found.missing) errors.push({ path: m, code: 'not-found', message: `${basename(m)} is listed in the DICOMDIR but is not on the medium.` });
      if (found.files.length === 0 && found.missing.length === 0) errors.push({ path: p, code: 'invalid-input', message: `${basename(p)}: the DICOMDIR lists no instance files.` });
    } catch (err) {
      const e = serializeError(err);
      errors.push({ path: p, code: e.code, message: e.message });
    }
  }
  return { paths: [...new Set(out)], errors };
}

/** Orders parts of one procedure: natural name order ("part2" before "part10"), then creation time. */
export function orderParts<T extends { path: string; creationTime: string | null }>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const byName = basename(a.path).localeCompare(basename(b.path), undefined, { numeric: true, sensitivity: 'base' });
    if (byName !== 0) return byName;
    return (a.creationTime ?? '').localeCompare(b.creationTime ?? '');
  });
}

const PART_SUFFIX = /(?:[\s._-]*(?:part|teil|seg(?:ment)?|chunk|file|clip)[\s._-]*|[\s._-]+)\d{1,3}$/i;

/**
 * "Lap chole part 1.mp4" → "Lap chole"; parts "OR3_2024-05-02_001.ts", "…_002.ts" →
 * "OR3_2024-05-02". A number that is part of the name ("endo-mpeg2") stays.
 */
export function caseNameFrom(paths: string[]): string {
  const stems = paths.map((p) => basename(p, extname(p)));
  const first = stems[0] ?? 'Case';
  let base = first;
  if (stems.length > 1) {
    let n = 0;
    while (n < first.length && stems.every((s) => s[n] === first[n])) n++;
    // A shared prefix cut inside a number ("case 1" of "case 12", "case 13") is not a name.
    while (n > 0 && /\d/.test(first[n - 1]!) && /\d/.test(first[n] ?? '')) n--;
    base = first.slice(0, n);
  }
  const cleaned = base.replace(PART_SUFFIX, '').replace(/[\s._-]*(?:part|teil|seg(?:ment)?|chunk|file|clip)?[\s._-]*$/i, '').trim();
  return cleaned.length >= 2 ? cleaned : first || 'Case';
}

/** A store row for an inspected recording. */
export function toNewPart(path: string, info: InspectResult): NewPart {
  const p = info.probe;
  return {
    // A DICOM instance plays from its remuxed copy; the .dcm stays linked in dicom_parts.
    path: info.dicom ? info.dicom.media : path,
    file_name: info.dicom ? safeFileName(basename(path), info.dicom) : basename(path),
    size: info.size,
    mtime_ms: info.mtimeMs,
    fingerprint: info.fingerprint,
    duration: p.duration,
    start_time: p.startTime,
    width: p.video.width,
    height: p.video.height,
    fps: p.video.avgFps || p.video.fps,
    vfr: p.video.avgFps && p.video.fps && Math.abs(p.video.avgFps - p.video.fps) / p.video.fps > 0.02 ? 1 : 0,
    codec: p.video.codec,
    container: p.container,
    rotation: p.video.rotation,
    has_audio: p.audio ? 1 : 0,
    keyframe_interval: null,
    creation_time: p.creationTime,
    playback: playbackFor(p),
    probe_json: JSON.stringify(p),
  };
}

/**
 * Import: each file is inspected on its own (a bad file gets its own error and never stops the
 * others), known recordings are deduplicated by fingerprint or relinked when they moved, and each
 * new case with all its parts is written in one transaction.
 */
export class ImportService {
  private readonly dicomRecords: DicomRecords;

  constructor(
    private readonly store: Store,
    private readonly worker: WorkerSupervisor,
    private readonly bus: EventBus,
    /** Where DICOM video bit streams are remuxed to (the data folder); without it .dcm files are not opened. */
    private readonly dicomCache?: string,
  ) {
    this.dicomRecords = store.dicom;
  }

  async import(req: ImportRequest, signal?: AbortSignal): Promise<ImportResult[]> {
    const files: ImportedFile[] = [];
    const fresh: Inspected[] = [];
    const seen = new Set<string>();
    const given = req.paths.map((p) => (isAbsolute(p) ? p : resolve(req.cwd ?? process.cwd(), p)));
    const expanded = this.dicomCache ? await expandDicomPaths(given) : { paths: given, errors: [] };
    const errors: ImportError[] = [...expanded.errors];
    const paths = expanded.paths;
    let done = 0;

    const inspectOne = async (path: string) => {
      try {
        const info = await this.worker.run('inspect', this.dicomCache ? { path, dicomCache: this.dicomCache } : { path }, signal ? { signal } : {});
        if (seen.has(info.fingerprint)) {
          const twin = fresh.find((f) => f.info.fingerprint === info.fingerprint);
          errors.push({ path, code: 'duplicate', message: `${basename(path)} is the same recording as ${basename(twin?.path ?? '')} in this import.` });
          return;
        }
        seen.add(info.fingerprint);
        const known = this.store.partsByFingerprint(info.fingerprint);
        if (known.length) {
          const atPath = known.find((k) => k.path === path);
          const moved = known.find((k) => !existsSync(k.path));
          // A DICOM instance's part is its remuxed copy in the data folder: only the .dcm can move.
          if (info.dicom) {
            const hit = known[0]!;
            const link = this.dicomRecords.part(hit.id);
            const movedDcm = link !== undefined && link.source_path !== path && !existsSync(link.source_path);
            if (movedDcm) this.dicomRecords.relinkSource(hit.id, path);
            files.push({ path, partId: hit.id, caseId: hit.case_id, outcome: movedDcm ? 'relinked' : 'duplicate' });
          } else if (atPath) files.push({ path, partId: atPath.id, caseId: atPath.case_id, outcome: 'duplicate' });
          else if (moved) {
            this.store.relinkPart(moved.id, path, basename(path), info.mtimeMs);
            files.push({ path, partId: moved.id, caseId: moved.case_id, outcome: 'relinked' });
            this.bus.emit('cases.changed', { caseId: moved.case_id });
          } else files.push({ path, partId: known[0]!.id, caseId: known[0]!.case_id, outcome: 'duplicate' });
          return;
        }
        fresh.push({ path, info });
      } catch (err) {
        const e = serializeError(err);
        if (e.code === 'canceled') throw err;
        errors.push({ path, code: e.code, message: e.message });
      } finally {
        this.bus.emit('import.progress', { done: ++done, total: paths.length, path });
      }
    };

    // Two inspections at a time; each runs ffprobe and one decode.
    const queue = [...paths];
    await Promise.all(
      [0, 1].map(async () => {
        for (let p = queue.shift(); p !== undefined; p = queue.shift()) await inspectOne(p);
      }),
    );

    const plain = fresh.filter((f) => !f.info.dicom);
    const dicom = fresh.filter((f): f is InspectedDicom => Boolean(f.info.dicom)).map((f) => ({ ...f, dicom: f.info.dicom! }));
    // DICOM instances are cases by series, whatever the mode: a study's series are separate recordings.
    const series = req.mode === 'case-per-file' ? dicom.map((d) => [d]) : groupBySeries(dicom);
    const groups: Inspected[][] = [...(req.mode === 'case-per-file' ? plain.map((f) => [f]) : plain.length ? [plain] : []), ...series];
    const seriesPerStudy = new Map<string, number>();
    for (const g of series) seriesPerStudy.set(g[0]!.dicom.studyInstanceUid, (seriesPerStudy.get(g[0]!.dicom.studyInstanceUid) ?? 0) + 1);
    const results: ImportResult[] = [];
    for (const group of groups) {
      const first = group[0]!.info.dicom;
      const ordered = first ? group : orderParts(group.map((g) => ({ ...g, creationTime: g.info.probe.creationTime })));
      const name =
        req.name && groups.length === 1
          ? req.name
          : first
            ? caseNameForSeries(first, seriesPerStudy.get(first.studyInstanceUid) ?? 1, first.patient)
            : caseNameFrom(ordered.map((o) => o.path));
      // Instances of a series already in the library (a retrieval resumed) join its case, in order.
      const into = first && req.mode === 'one-case' ? this.dicomRecords.caseOfSeries(first.studyInstanceUid, first.seriesInstanceUid) : null;
      if (into) {
        results.push(this.addToSeriesCase(into, ordered));
        continue;
      }
      const { caseId, partIds } = this.store.createCase(
        name,
        ordered.map((o) => toNewPart(o.path, o.info)),
        req.isDemo ? { isDemo: true } : {},
      );
      if (first) {
        this.dicomRecords.linkCase(caseId, ordered.map((o, i) => ({ partId: partIds[i]!, dicom: o.info.dicom! })), first.patient);
      }
      results.push({
        caseId,
        name,
        files: ordered.map((o, i) => ({ path: o.path, partId: partIds[i]!, caseId, outcome: 'imported' as const })),
        errors: [],
      });
      this.bus.emit('cases.changed', { caseId });
    }
    // Duplicates, relinks and errors belong to the import as a whole: report them once.
    if (results.length === 0) results.push({ caseId: null, name: null, files, errors });
    else {
      results[0]!.files.push(...files);
      results[0]!.errors.push(...errors);
    }
    return results;
  }

  private addToSeriesCase(caseId: string, ordered: Inspected[]): ImportResult {
    const partIds = this.store.appendParts(caseId, ordered.map((o) => toNewPart(o.path, o.info)));
    this.dicomRecords.linkCase(caseId, ordered.map((o, i) => ({ partId: partIds[i]!, dicom: o.info.dicom! })), null);
    const parts = this.store.partsOf(caseId);
    const links = this.dicomRecords.partsOfCase(caseId);
    if (links.length === parts.length) {
      const order = orderInstances(links.map((l) => ({ id: l.part_id, dicom: { acquisitionDateTime: l.acquisition_dt, instanceNumber: l.instance_number, sopInstanceUid: l.sop_instance_uid } })));
      this.store.reorderParts(caseId, order.map((o) => o.id));
    }
    this.bus.emit('cases.changed', { caseId });
    return {
      caseId,
      name: this.store.getCase(caseId)?.name ?? null,
      files: ordered.map((o, i) => ({ path: o.path, partId: partIds[i]!, caseId, outcome: 'imported' as const })),
      errors: [],
    };
  }
}

export function assertImported(results: ImportResult[]): void {
  if (!results.some((r) => r.caseId || r.files.length)) {
    const first = results[0]?.errors[0];
    throw new OpscopeError('invalid-input', first ? first.message : 'Nothing was imported.');
  }
}
