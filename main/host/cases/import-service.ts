import { existsSync } from 'node:fs';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import type { ImportError, ImportResult, ImportedFile } from '../../core/contract/schemas.js';
import { OpscopeError, serializeError } from '../../core/errors.js';
import { playbackFor } from '../../core/media-info.js';
import type { InspectResult } from '../../core/worker-protocol.js';
import type { EventBus } from '../event-bus.js';
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
    path,
    file_name: basename(path),
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
  constructor(
    private readonly store: Store,
    private readonly worker: WorkerSupervisor,
    private readonly bus: EventBus,
  ) {}

  async import(req: ImportRequest, signal?: AbortSignal): Promise<ImportResult[]> {
    const errors: ImportError[] = [];
    const files: ImportedFile[] = [];
    const fresh: Inspected[] = [];
    const seen = new Set<string>();
    const paths = req.paths.map((p) => (isAbsolute(p) ? p : resolve(req.cwd ?? process.cwd(), p)));
    let done = 0;

    const inspectOne = async (path: string) => {
      try {
        const info = await this.worker.run('inspect', { path }, signal ? { signal } : {});
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
          if (atPath) files.push({ path, partId: atPath.id, caseId: atPath.case_id, outcome: 'duplicate' });
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

    const groups: Inspected[][] =
      req.mode === 'case-per-file' ? fresh.map((f) => [f]) : fresh.length ? [fresh] : [];
    const results: ImportResult[] = [];
    for (const group of groups) {
      const ordered = orderParts(group.map((g) => ({ ...g, creationTime: g.info.probe.creationTime })));
      const name = req.name && groups.length === 1 ? req.name : caseNameFrom(ordered.map((o) => o.path));
      const { caseId, partIds } = this.store.createCase(
        name,
        ordered.map((o) => toNewPart(o.path, o.info)),
        req.isDemo ? { isDemo: true } : {},
      );
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
}

export function assertImported(results: ImportResult[]): void {
  if (!results.some((r) => r.caseId || r.files.length)) {
    const first = results[0]?.errors[0];
    throw new OpscopeError('invalid-input', first ? first.message : 'Nothing was imported.');
  }
}
