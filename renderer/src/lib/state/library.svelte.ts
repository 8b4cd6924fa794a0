import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { ReviewCounts, ReviewFilter } from '../../../../main/core/contract/feedback-schemas.js';
import type { CaseSummary, IndexStatus } from '../../../../main/core/contract/schemas.js';
import { filterTotals, matchesReviewFilter } from '../review/review.js';
import { LibraryFinder } from './library-search.svelte.js';
import type { Toasts } from './toasts.svelte.js';

/** The list of cases on the left: loaded from the host, kept current by its events. */
export class Library {
  cases = $state.raw<CaseSummary[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  filter = $state('');
  collapsed = $state(false);
  /** Review progress per case id (feedback.counts). */
  counts = $state.raw<Record<string, ReviewCounts>>({});
  reviewFilter = $state<ReviewFilter>('all');

  /** What the filter finds by events and words (search.library), beside names. */
  readonly finder: LibraryFinder;

  /** Cases whose name holds the filter, and those the search found for it. */
  filtered = $derived.by(() => {
    const q = this.filter.trim().toLowerCase();
    const found = this.finder.result && this.finder.query.toLowerCase() === q ? this.finder.result.cases.map((c) => c.caseId) : [];
    return this.cases.filter((c) => (!q || c.name.toLowerCase().includes(q) || found.includes(c.id)) && matchesReviewFilter(this.counts[c.id], this.reviewFilter));
  });

  /** How many cases each review filter shows. */
  filterTotals = $derived(filterTotals(this.cases.map((c) => c.id), this.counts));

  indexing = $derived(this.cases.filter((c) => c.index.state === 'running' || c.index.state === 'pending').length);

  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private countsTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRefresh = 0;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
  ) {
    this.finder = new LibraryFinder(api);
  }

  async refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    try {
      this.cases = await this.api.call('cases.list', {});
      this.loaded = true;
      void this.refreshCounts();
      this.loadError = null;
    } catch (err) {
      this.loadError = err instanceof Error ? err.message : String(err);
      this.toasts.error('Could not load the library', err);
    }
  }

  async refreshCounts(): Promise<void> {
    try {
      const rows = await this.api.call('feedback.counts', {});
      this.counts = Object.fromEntries(rows.map((r) => [r.caseId, r]));
    } catch (err) {
      this.toasts.error('Could not read the review counts', err);
    }
  }

  /** Reviews come in bursts (a clinician going down a list): one read for a burst. */
  countsSoon(delayMs = 120): void {
    if (this.countsTimer) return;
    this.countsTimer = setTimeout(() => {
      this.countsTimer = null;
      void this.refreshCounts();
    }, delayMs);
  }

  /** Coalesces bursts of events into one reload. */
  refreshSoon(delayMs = 150): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, delayMs);
  }

  get(caseId: string): CaseSummary | undefined {
    return this.cases.find((c) => c.id === caseId);
  }

  /** Index progress arrives many times a second: patch the one case instead of reloading. */
  applyIndexProgress(caseId: string, status: IndexStatus): void {
    const i = this.cases.findIndex((c) => c.id === caseId);
    if (i < 0) {
      this.refreshSoon();
      return;
    }
    const before = this.cases[i]!;
    const next = this.cases.slice();
    next[i] = { ...before, index: status };
    this.cases = next;
    // A finished part brings a poster and exact durations; those come with a reload.
    const stateChanged = before.index.state !== status.state;
    if (stateChanged || (before.poster === null && Date.now() - this.lastRefresh > 3000)) this.refreshSoon(300);
  }
}
