import { existsSync, statSync } from 'node:fs';
import { mediaPath } from '../../core/contract/media-paths.js';
import {
  TRACK_LABELS, TRACK_NAMES,
  type CaseDetail, type CaseSummary, type CaseTracks, type Part, type PartThumbnails, type TrackName, type ViewState,
} from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { displayScale } from '../../core/signals/index.js';
import type { ThumbnailsMeta } from '../index/index-service.js';
import { caseDuration, timelineOf } from './case-model.js';
import { aggregateIndexStatus, type ReadableStore } from '../store/store.js';
import type { CaseRow, PartRow } from '../store/rows.js';
import { round3 } from '../../core/round.js';

/** Read models: what clients see of cases, built from the store. */
export class CaseViews {
  /** `changedContent` says a part's file was found changed by its fingerprint (ChangedFiles). */
  constructor(
    private readonly store: ReadableStore,
    private readonly changedContent: (partId: string) => boolean = () => false,
  ) {}

  requireCase(caseId: string): CaseRow {
    const c = this.store.getCase(caseId);
    if (!c) throw new OpscopeError('not-found', 'This case no longer exists.');
    return c;
  }

  summary(c: CaseRow, parts = this.store.partsOf(c.id)): CaseSummary {
    return {
      id: c.id,
      name: c.name,
      createdAt: c.created_at,
      updatedAt: c.updated_at,
      duration: caseDuration(parts),
      partCount: parts.length,
      index: aggregateIndexStatus(this.store.indexStates(c.id)),
      poster: this.poster(parts),
      missingParts: parts.filter((p) => !existsSync(p.path)).length,
      isDemo: c.is_demo === 1,
    };
  }

  list(): CaseSummary[] {
    return this.store.listCases().map((c) => this.summary(c));
  }

  detail(caseId: string): CaseDetail {
    const c = this.requireCase(caseId);
    const parts = this.store.partsOf(caseId);
    const tl = timelineOf(parts);
    return {
      ...this.summary(c, parts),
      parts: parts.map((p, i) => this.part(p, tl.starts[i]!)),
      gaps: this.store.gapsOf(caseId),
      view: c.view_json ? (JSON.parse(c.view_json) as ViewState) : null,
    };
  }

  private part(p: PartRow, caseStart: number): Part {
    let missing = false;
    let changed = false;
    try {
      const st = statSync(p.path);
      // A different size means different content than was indexed; a copied file keeps its size but
      // not its modification time, so a changed time is judged by the fingerprint (ChangedFiles).
      changed = st.size !== p.size || this.changedContent(p.id);
    } catch {
      missing = true;
    }
    return {
      id: p.id,
      caseId: p.case_id,
      order: p.ord,
      path: p.path,
      fileName: p.file_name,
      size: p.size,
      fingerprint: p.fingerprint,
      caseStart,
      duration: p.duration,
      width: p.width,
      height: p.height,
      fps: p.fps,
      variableFrameRate: p.vfr === 1,
      codec: p.codec,
      container: p.container,
      rotation: p.rotation,
      hasAudio: p.has_audio === 1,
      keyframeInterval: p.keyframe_interval,
      creationTime: p.creation_time,
      playback: p.playback === 'proxy' ? 'proxy' : p.playback === 'direct' ? 'direct' : 'proxy-pending',
      missing,
      changed,
      dicom: this.dicomLink(p.id),
    };
  }

  /** The .dcm a part was read from (null for other recordings). */
  private dicomLink(partId: string): Part['dicom'] {
    const d = this.store.dicom.part(partId);
    return d
      ? { path: d.source_path, studyInstanceUid: d.study_uid, seriesInstanceUid: d.series_uid, sopInstanceUid: d.sop_instance_uid, instanceNumber: d.instance_number, transferSyntaxUid: d.transfer_syntax }
      : null;
  }

  private poster(parts: PartRow[]): CaseSummary['poster'] {
    // A tile from a third of the way in: the first seconds are often the room before insertion.
    for (const p of parts) {
      const meta = this.store.thumbnailsMeta<ThumbnailsMeta>(p.id);
      if (!meta || meta.times.length === 0) continue;
      const k = Math.floor(meta.times.length / 3);
      let sheet = 0;
      let rest = k;
      while (sheet < meta.sheets.length - 1 && rest >= meta.sheets[sheet]!.count) rest -= meta.sheets[sheet++]!.count;
      const col = rest % meta.columns;
      const row = Math.floor(rest / meta.columns);
      return {
        src: mediaPath.thumbs(p.id, sheet),
        x: col * meta.tileWidth,
        y: row * meta.tileHeight,
        width: meta.tileWidth,
        height: meta.tileHeight,
        sheetWidth: meta.tileWidth * meta.columns,
        sheetHeight: meta.tileHeight * meta.rows,
      };
    }
    return null;
  }

  /**
   * The case's raw per-second tracks, one value per case second, NaN where no part is indexed;
   * `covered` lists the case-time ranges that are.
   */
  rawTracks(caseId: string): { duration: number; covered: [number, number][]; raw: Map<TrackName, Float32Array> } {
    this.requireCase(caseId);
    const parts = this.store.partsOf(caseId);
    const tl = timelineOf(parts);
    const seconds = Math.ceil(tl.duration);
    const covered: [number, number][] = [];
    const raw = new Map<TrackName, Float32Array>(TRACK_NAMES.map((n) => [n, new Float32Array(seconds).fill(Number.NaN)]));
    parts.forEach((p, i) => {
      const tracks = this.store.tracks(p.id);
      if (tracks.size === 0) return;
      const start = tl.starts[i]!;
      covered.push([start, start + p.duration]);
      for (const name of TRACK_NAMES) {
        const values = tracks.get(name);
        if (!values) continue;
        const dst = raw.get(name)!;
        const offset = Math.floor(start);
        for (let s = 0; s < values.length && offset + s < seconds; s++) dst[offset + s] = values[s]!;
      }
    });
    return { duration: tl.duration, covered, raw };
  }

  tracks(caseId: string): CaseTracks {
    const { duration, covered, raw } = this.rawTracks(caseId);
    return {
      caseId,
      duration,
      covered,
      tracks: TRACK_NAMES.map((name) => {
        const values = raw.get(name)!;
        const known = values.filter((v) => Number.isFinite(v));
        const scaled = known.length ? displayScale(name, known) : new Float32Array();
        let k = 0;
        // Seconds not indexed yet are sent as -1 and drawn as gaps.
        const out = Array.from(values, (v) => (Number.isFinite(v) ? round3(scaled[k++] ?? 0) : -1));
        return { name, label: TRACK_LABELS[name], rate: 1, values: out };
      }),
    };
  }

  thumbnails(caseId: string): PartThumbnails[] {
    this.requireCase(caseId);
    const parts = this.store.partsOf(caseId);
    const tl = timelineOf(parts);
    const out: PartThumbnails[] = [];
    parts.forEach((p, i) => {
      const meta = this.store.thumbnailsMeta<ThumbnailsMeta>(p.id);
      if (!meta) return;
      out.push({
        partId: p.id,
        tileWidth: meta.tileWidth,
        tileHeight: meta.tileHeight,
        columns: meta.columns,
        rows: meta.rows,
        sheets: meta.sheets.map((s, k) => ({ src: mediaPath.thumbs(p.id, k), count: s.count })),
        times: meta.times.map((t) => round3(tl.starts[i]! + t)),
      });
    });
    return out;
  }
}

