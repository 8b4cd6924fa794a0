import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { PartThumbnails } from '../../../../main/core/contract/schemas.js';
import type { PictureIndexStatus, SimilarBox, SimilarResult } from '../../../../main/core/contract/similar-schemas.js';
import { errorMessage } from '../api/index.js';

/** What a found moment's thumbnail is drawn from: the tile of its case's strip nearest its time. */
export interface Thumb {
  url: string;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  sx: number;
  sy: number;
}

/**
 * "Find similar": the moments that look like the frame on screen (or a box drawn on it), in the
 * open case or the whole library, and the open case's picture index (built in the background).
 */
export class SimilarSearch {
  open = $state(false);
  scope = $state<'case' | 'all'>('case');
  /** A box being asked about, in the recording's pixels; null: the whole frame. */
  box = $state.raw<SimilarBox | null>(null);
  /** The user is drawing a box on the picture. */
  drawing = $state(false);
  asked = $state.raw<{ caseId: string; time: number } | null>(null);
  result = $state.raw<SimilarResult | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  status = $state.raw<PictureIndexStatus | null>(null);
  /** Thumbnail strips of the cases in the result, loaded once each. */
  thumbs = $state.raw<Record<string, PartThumbnails[]>>({});
  private request = 0;

  constructor(private readonly api: OpscopeApi) {}

  async show(caseId: string, time: number): Promise<void> {
    this.open = true;
    await this.refreshStatus(caseId);
    await this.find(caseId, time);
  }

  close(): void {
    this.open = false;
    this.drawing = false;
    this.request++;
  }

  async refreshStatus(caseId: string): Promise<void> {
    try {
      this.status = await this.api.call('similar.status', { caseId });
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  onProgress(caseId: string, status: PictureIndexStatus): void {
    if (this.asked?.caseId !== caseId && this.status?.caseId !== caseId) return;
    const was = this.status?.state;
    this.status = status;
    // Built while the panel waited for it: ask again.
    if (this.open && was !== 'done' && status.state === 'done' && this.asked && !this.result) void this.find(this.asked.caseId, this.asked.time);
  }

  async build(caseId: string): Promise<void> {
    try {
      this.status = await this.api.call('similar.build', { caseId });
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  async find(caseId: string, time: number): Promise<void> {
    const request = ++this.request;
    this.asked = { caseId, time };
    this.error = null;
    if (this.status && this.status.caseId === caseId && this.status.frames === 0) {
      this.result = null;
      return;
    }
    this.loading = true;
    try {
      const result = await this.api.call('similar.find', { caseId, time, scope: this.scope, limit: 12, ...(this.box ? { box: this.box } : {}) });
      if (request !== this.request) return;
      this.result = result;
      await this.loadThumbs(result);
    } catch (err) {
      if (request !== this.request) return;
      this.result = null;
      this.error = errorMessage(err);
    } finally {
      if (request === this.request) this.loading = false;
    }
  }

  setScope(scope: 'case' | 'all'): void {
    this.scope = scope;
    if (this.asked) void this.find(this.asked.caseId, this.asked.time);
  }

  /** Asks about a box of the frame at `at` (the frame it was drawn on), or the whole frame again. */
  setBox(box: SimilarBox | null, at = this.asked): void {
    this.box = box;
    this.drawing = false;
    if (at) void this.find(at.caseId, at.time);
  }

  private async loadThumbs(result: SimilarResult): Promise<void> {
    const need = result.moments.map((m) => m.caseId).filter((id, i, all) => all.indexOf(id) === i && !this.thumbs[id]);
    const loaded = await Promise.all(need.map(async (id) => [id, await this.api.call('cases.thumbnails', { caseId: id }).catch(() => [])] as const));
    if (loaded.length) this.thumbs = { ...this.thumbs, ...Object.fromEntries(loaded) };
  }

  /** The thumbnail nearest a case time, from its case's strip (null when that part has none). */
  thumbFor(caseId: string, time: number): Thumb | null {
    const parts = this.thumbs[caseId];
    if (!parts) return null;
    let best: { p: PartThumbnails; k: number; d: number } | null = null;
    for (const p of parts) {
      p.times.forEach((t, k) => {
        const d = Math.abs(t - time);
        if (!best || d < best.d) best = { p, k, d };
      });
    }
    if (!best) return null;
    const { p, k } = best as { p: PartThumbnails; k: number };
    let rest = k;
    for (const s of p.sheets) {
      if (rest < s.count) {
        return {
          url: this.api.mediaUrl(`${s.src}?v=${p.times.length}-${p.tileWidth}`),
          tileWidth: p.tileWidth, tileHeight: p.tileHeight, columns: p.columns, rows: p.rows,
          sx: (rest % p.columns) * p.tileWidth, sy: Math.floor(rest / p.columns) * p.tileHeight,
        };
      }
      rest -= s.count;
    }
    return null;
  }
}
