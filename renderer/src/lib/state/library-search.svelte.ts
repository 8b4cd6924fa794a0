import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { LibrarySearchResult } from '../../../../main/core/contract/similar-schemas.js';

/**
 * The case list's filter beyond names: what `search.library` finds for the words typed (cases by
 * events, "bleeding longer than 20 s", and by words in questions, answers, comments and bookmark
 * labels), asked a moment after typing stops. An answer that comes back after the filter changed
 * again is dropped.
 */
export class LibraryFinder {
  /** The query the result is for. */
  query = $state('');
  result = $state.raw<LibrarySearchResult | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private asked = 0;

  constructor(
    private readonly api: OpscopeApi,
    private readonly delayMs = 250,
  ) {}

  /** The filter changed: search for it soon (nothing for an empty filter). */
  update(text: string): void {
    const q = text.trim();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (q === this.query && (this.result || this.busy)) return;
    if (!q) {
      this.asked++;
      this.query = '';
      this.result = null;
      this.error = null;
      this.busy = false;
      return;
    }
    this.busy = true;
    this.timer = setTimeout(() => void this.run(q), this.delayMs);
  }

  /** Searches now (after a change in the library, the same query may find more). */
  async run(q: string): Promise<void> {
    const ticket = ++this.asked;
    this.busy = true;
    try {
      const r = await this.api.call('search.library', { query: q.slice(0, 500), limit: 100 });
      if (ticket !== this.asked) return;
      this.query = q;
      this.result = r;
      this.error = null;
    } catch (err) {
      if (ticket !== this.asked) return;
      this.query = q;
      this.result = null;
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      if (ticket === this.asked) this.busy = false;
    }
  }

  /** What the search found in one case, or null. */
  hitsOf(caseId: string): LibrarySearchResult['cases'][number] | null {
    return this.result?.cases.find((c) => c.caseId === caseId) ?? null;
  }
}
