import { CaseTimeline } from '../../../../main/core/case-time.js';
import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type {
  CaseDetail, CaseTracks, IndexStatus, PartThumbnails, ViewState,
} from '../../../../main/core/contract/schemas.js';
import { errorCode } from '../api/index.js';
import { CaseAgent } from './agent.svelte.js';
import { CaseBookmarks } from './bookmarks.svelte.js';
import { Player, snapSpeed } from './player.svelte.js';
import { CaseReviews } from './reviews.svelte.js';
import type { Toasts } from './toasts.svelte.js';

/** The narrowest timeline window, in seconds: about sixty frames, enough to pick one. */
export const MIN_SPAN = 2;
const SAVE_DELAY_MS = 1000;
const INDEX_REFRESH_MS = 2000;

/**
 * One opened case: its parts on one timeline, the index data drawn under the player (tracks,
 * thumbnails), the parts' frame timestamps, the visible timeline window, and the persistence
 * of where the user was (position, window, speed).
 */
export class OpenCase {
  detail = $state.raw<CaseDetail>() as CaseDetail;
  tracks = $state.raw<CaseTracks | null>(null);
  thumbs = $state.raw<PartThumbnails[]>([]);
  /** Frame timestamps per part (seconds from the part's start), null until loaded. */
  frameTimes = $state.raw<(Float64Array | null)[]>([]);
  zoomStart = $state(0);
  zoomEnd = $state(0);
  /** The latest position, window and speed are stored. */
  viewSaved = $state(true);
  /** The saved view was applied (or there was none). */
  restored = $state(false);
  /** Bumped whenever index data (tracks, thumbnails) is replaced; the timeline redraws. */
  dataVersion = $state(0);
  /** A range marked with I and O (case seconds), e.g. to export as a clip. */
  markIn = $state<number | null>(null);
  markOut = $state<number | null>(null);
  /** Case time being recorded now, while this case is recorded live (beyond the closed segments). */
  /** The live edge as the recorder last reported it. */
  private reportedEdge = $state<number | null>(null);

  timeline = $derived(new CaseTimeline(this.detail.parts.map((p) => ({ id: p.id, duration: p.duration }))));
  duration = $derived(this.timeline.duration);
  /**
   * Where the recording is now: never behind what it has already recorded. A segment that has
   * just landed can lengthen the case before the recorder's next report of its edge arrives.
   */
  liveEdge = $derived(this.reportedEdge === null ? null : Math.max(this.reportedEdge, this.duration));
  /** What the timeline spans: the recorded parts, and while recording, up to the live edge. */
  extent = $derived(Math.max(this.duration, this.liveEdge ?? 0));
  span = $derived(Math.max(1e-6, this.zoomEnd - this.zoomStart));
  zoomed = $derived(this.extent > 0 && this.span < this.extent - 1e-6);
  /** Zoom as a level for the slider: 0 shows the whole case, each step of 1 is e times closer. */
  zoomLevel = $derived(this.extent > 0 ? Math.log(this.extent / this.span) : 0);
  maxZoomLevel = $derived(this.extent > MIN_SPAN ? Math.log(this.extent / MIN_SPAN) : 0);
  /** The marked range once both ends are set in order. */
  range = $derived(this.markIn !== null && this.markOut !== null && this.markIn < this.markOut ? { start: this.markIn, end: this.markOut } : null);

  readonly player: Player;
  /** Questions asked about this case and the agent's runs. */
  readonly agent: CaseAgent;
  /** The clinician's reviews of that evidence. */
  readonly reviews: CaseReviews;
  /** Moments marked in the case. */
  readonly bookmarks: CaseBookmarks;
  readonly id: string;

  private closed = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private revision = 0;
  private savedRevision = 0;
  private lastIndexRefresh = 0;
  private indexRefreshTimer: ReturnType<typeof setTimeout> | null = null;
  private lastIndexState: IndexStatus['state'] | null = null;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    detail: CaseDetail,
  ) {
    this.detail = detail;
    this.id = detail.id;
    this.lastIndexState = detail.index.state;
    this.frameTimes = detail.parts.map(() => null);
    this.zoomEnd = this.timeline.duration;
    this.player = new Player(this, api, toasts);
    this.agent = new CaseAgent(api, toasts, this.id, () => this.player);
    this.reviews = new CaseReviews(api, toasts, this);
    this.bookmarks = new CaseBookmarks(api, toasts, this.id);
  }

  /** Restores the saved view, then loads what the timeline and the frame stepping need. */
  async start(): Promise<void> {
    const view = this.detail.view;
    if (view) this.player.speed = snapSpeed(view.speed);
    // A case being recorded opens on the whole timeline, which grows with the recording.
    if (view && this.liveEdge === null) this.setZoom(view.zoomStart, view.zoomEnd > view.zoomStart ? view.zoomEnd : this.duration, false);
    else this.setZoom(0, this.extent, false);
    const target = view ? Math.min(view.position, this.duration) : 0;
    // The part under the saved position first: its frames decide what is on screen.
    const first = this.detail.parts.length ? this.timeline.locate(target).index : -1;
    if (first >= 0) await this.loadFrameTimes(first);
    if (this.closed) return;
    this.player.seek(target);
    this.restored = true;
    // The restore itself is not a change to save.
    this.savedRevision = this.revision;
    this.viewSaved = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    void this.refreshIndexData();
    void this.agent.load();
    void this.reviews.load();
    void this.bookmarks.load();
    for (let i = 0; i < this.detail.parts.length; i++) if (i !== first) void this.loadFrameTimes(i);
  }

  async loadFrameTimes(pi: number): Promise<void> {
    const part = this.detail.parts[pi];
    // A missing file's timestamps may still be known from its index.
    if (!part || this.frameTimes[pi]) return;
    try {
      const r = await this.api.call('cases.frameTimes', { partId: part.id });
      if (this.closed) return;
      const next = this.frameTimes.slice();
      next[pi] = Float64Array.from(r.times);
      this.frameTimes = next;
      // Before the saved view is applied, start() places the frame itself.
      if (this.restored) this.player.frameTimesArrived(pi);
    } catch (err) {
      if (this.closed) return;
      // A missing file is already flagged in the case view; anything else is said here.
      if (errorCode(err) !== 'not-found') this.toasts.error(`Frame stepping in ${part.fileName} is approximate`, err);
    }
  }

  /** Tracks and thumbnails, re-read while the index grows and when it completes. */
  async refreshIndexData(): Promise<void> {
    this.lastIndexRefresh = Date.now();
    try {
      const [thumbs, tracks] = await Promise.all([
        this.api.call('cases.thumbnails', { caseId: this.id }),
        this.api.call('cases.tracks', { caseId: this.id }),
      ]);
      if (this.closed) return;
      this.thumbs = thumbs;
      this.tracks = tracks;
      this.dataVersion++;
    } catch (err) {
      if (!this.closed) this.toasts.error('Could not load the timeline of this case', err);
    }
  }

  /** Moves a part one place earlier or later on the case timeline (the recorder's names can be wrong). */
  async movePart(index: number, delta: -1 | 1): Promise<void> {
    const ids = this.detail.parts.map((p) => p.id);
    const other = index + delta;
    if (other < 0 || other >= ids.length) return;
    [ids[index], ids[other]] = [ids[other]!, ids[index]!];
    try {
      await this.api.call('cases.reorderParts', { caseId: this.id, partIds: ids });
      if (this.closed) return;
      await this.refreshDetail();
      await this.refreshIndexData();
    } catch (err) {
      if (!this.closed) this.toasts.error('Could not change the order of the parts', err);
    }
  }

  async refreshDetail(): Promise<void> {
    try {
      const detail = await this.api.call('cases.get', { caseId: this.id });
      if (this.closed) return;
      const before = this.detail.parts;
      const extent = this.extent;
      const whole = !this.zoomed;
      const showedEnd = this.zoomEnd >= extent - 1e-3;
      this.detail = detail;
      const sameParts = before.length === detail.parts.length && before.every((p, i) => p.id === detail.parts[i]!.id);
      if (!sameParts) this.frameTimes = detail.parts.map((p) => this.frameTimes[before.findIndex((b) => b.id === p.id)] ?? null);
      // A case that grew (recorded live) keeps its window whole in what is remembered too.
      this.extentChanged(extent, whole, showedEnd, this.extent !== extent);
      this.player.partsChanged();
      detail.parts.forEach((_, i) => void this.loadFrameTimes(i));
    } catch (err) {
      if (!this.closed && errorCode(err) !== 'not-found') this.toasts.error('Could not reload this case', err);
    }
  }

  /** Index progress of this case: new parts finish → new thumbnails, tracks, playable copies. */
  onIndexProgress(status: IndexStatus): void {
    const changed = status.state !== this.lastIndexState;
    this.lastIndexState = status.state;
    if (changed && status.state !== 'running' && status.state !== 'pending') {
      void this.refreshDetail().then(() => this.refreshIndexData());
      return;
    }
    if (status.state !== 'running') return;
    const thumbParts = this.thumbs.length;
    const due = INDEX_REFRESH_MS - (Date.now() - this.lastIndexRefresh);
    if (this.indexRefreshTimer) return;
    this.indexRefreshTimer = setTimeout(async () => {
      this.indexRefreshTimer = null;
      if (this.closed) return;
      this.lastIndexRefresh = Date.now();
      try {
        const thumbs = await this.api.call('cases.thumbnails', { caseId: this.id });
        if (this.closed || thumbs.length === thumbParts) return;
        // A part finished: its tracks, thumbnails and (maybe) its playable copy are ready.
        await this.refreshDetail();
        await this.refreshIndexData();
      } catch (err) {
        if (!this.closed) this.toasts.error('Could not load the timeline of this case', err);
      }
    }, Math.max(0, due));
  }

  // ---- timeline window -------------------------------------------------------------------

  /**
   * The recording moved on: the timeline grows with it. A window showing the end keeps showing it
   * (the whole case stays whole; a zoomed window following the live edge moves along).
   */
  setLiveEdge(edge: number | null): void {
    const before = this.extent;
    const showedEnd = this.zoomEnd >= before - 1e-3;
    const whole = !this.zoomed;
    this.reportedEdge = edge;
    // Remembered when the recording ends (not at every tick of the live edge).
    this.extentChanged(before, whole, showedEnd, edge === null && before !== this.extent);
  }

  /** The timeline's extent changed from `before`; the window was whole, or showed the end. */
  private extentChanged(before: number, whole: boolean, showedEnd: boolean, save = false): void {
    const after = this.extent;
    if (whole) this.setZoom(0, after, save);
    else if (showedEnd && after > before) this.setZoom(this.zoomStart + (after - before), this.zoomEnd + (after - before), save);
    else if (this.zoomEnd > after) this.setZoom(this.zoomStart, after, save);
  }

  setZoom(start: number, end: number, save = true): void {
    const d = this.extent;
    if (d <= 0) {
      this.zoomStart = 0;
      this.zoomEnd = 0;
      return;
    }
    const span = Math.max(Math.min(d, MIN_SPAN), Math.min(d, end - start));
    const s = Math.max(0, Math.min(d - span, start));
    this.zoomStart = s;
    this.zoomEnd = s + span;
    if (save) this.viewChanged();
  }

  /** factor > 1 zooms in, around `anchor` (case time), which keeps its place on screen. */
  zoomBy(factor: number, anchor = this.player.position): void {
    const span = this.span / factor;
    const ratio = Math.max(0, Math.min(1, (anchor - this.zoomStart) / this.span));
    const a = anchor >= this.zoomStart && anchor <= this.zoomEnd ? anchor : this.zoomStart + this.span / 2;
    const r = anchor >= this.zoomStart && anchor <= this.zoomEnd ? ratio : 0.5;
    this.setZoom(a - r * span, a - r * span + span);
  }

  setZoomLevel(level: number): void {
    const span = this.extent / Math.exp(Math.max(0, Math.min(this.maxZoomLevel, level)));
    const p = this.player.position;
    const anchor = p >= this.zoomStart && p <= this.zoomEnd ? p : this.zoomStart + this.span / 2;
    const r = Math.max(0, Math.min(1, (anchor - this.zoomStart) / this.span));
    this.setZoom(anchor - r * span, anchor - r * span + span);
  }

  pan(seconds: number): void {
    this.setZoom(this.zoomStart + seconds, this.zoomEnd + seconds);
  }

  fit(): void {
    this.setZoom(0, this.extent);
  }

  /** Keeps the playhead in view: pages the window when the playhead leaves it. */
  followPlayhead(t: number): void {
    if (!this.zoomed) return;
    if (t < this.zoomStart || t > this.zoomEnd) {
      const lead = this.span * 0.1;
      this.setZoom(t - lead, t - lead + this.span);
    }
  }

  // ---- marked range ----------------------------------------------------------------------

  /** I: the range starts at the frame on screen (an end before it is dropped). */
  setMarkIn(): void {
    this.markIn = this.player.position;
    if (this.markOut !== null && this.markOut <= this.markIn) this.markOut = null;
  }

  /** O: the range ends at the frame on screen (a start after it is dropped). */
  setMarkOut(): void {
    this.markOut = this.player.position;
    if (this.markIn !== null && this.markIn >= this.markOut) this.markIn = null;
  }

  clearMarks(): void {
    this.markIn = null;
    this.markOut = null;
  }

  // ---- persistence -----------------------------------------------------------------------

  currentView(): ViewState {
    const d = this.duration;
    const clamp = (v: number) => Math.max(0, Math.min(d, Number.isFinite(v) ? v : 0));
    return {
      position: clamp(this.player.position),
      zoomStart: clamp(this.zoomStart),
      zoomEnd: clamp(this.zoomEnd),
      speed: Math.max(0.25, Math.min(4, this.player.speed)),
    };
  }

  /** Something the user would expect to find again changed: store it within about a second. */
  viewChanged(): void {
    if (!this.restored || this.closed) return;
    this.revision++;
    this.viewSaved = false;
    if (!this.saveTimer) {
      this.saveTimer = setTimeout(() => {
        this.saveTimer = null;
        void this.saveView();
      }, SAVE_DELAY_MS);
    }
  }

  async saveView(): Promise<void> {
    if (!this.restored || this.revision === this.savedRevision) return;
    const rev = this.revision;
    try {
      await this.api.call('cases.setView', { caseId: this.id, view: this.currentView() });
      if (rev > this.savedRevision) this.savedRevision = rev;
      if (!this.closed) this.viewSaved = this.revision === this.savedRevision;
    } catch (err) {
      if (errorCode(err) !== 'not-found') this.toasts.error('Could not remember your place in this case', err);
    }
  }

  /** Saves at once (case switch, page hidden). */
  flush(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    return this.saveView();
  }

  close(): Promise<void> {
    const saving = this.flush();
    this.closed = true;
    if (this.indexRefreshTimer) clearTimeout(this.indexRefreshTimer);
    this.agent.dispose();
    this.reviews.dispose();
    this.bookmarks.dispose();
    this.player.dispose();
    return saving;
  }
}
