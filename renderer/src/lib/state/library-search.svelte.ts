import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { LibraryMoment, LibrarySearchResult } from '../../../../main/core/contract/similar-schemas.js';
import { formatTime } from '../../../../main/core/time-format.js';

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

const KIND_WORDS: Record<LibraryMoment['kind'], string> = {
  bleeding: 'Bleeding',
  smoke: 'Smoke',
  outOfBody: 'Out of body',
  idle: 'Pause',
  question: 'Question',
  answer: 'Answer',
  comment: 'Comment',
  bookmark: 'Bookmark',
};

export function momentKind(kind: LibraryMoment['kind']): string {
  return KIND_WORDS[kind];
}

/** "12:30–12:52", or "12:30" for a moment without length (a bookmark). */
export function momentWhen(m: Pick<LibraryMoment, 'start' | 'end'>): string {
  const start = formatTime(m.start);
  return m.end - m.start < 0.5 ? start : `${start}–${formatTime(m.end)}`;
}

const OP_WORDS: Record<string, string> = { '>': 'more than', '>=': 'at least', '<': 'less than', '<=': 'at most', '=': 'exactly' };
const EVENT_WORDS: Record<string, string> = { bleeding: 'bleeding', smoke: 'smoke', outOfBody: 'out of the body', idle: 'a pause' };

/** How the filter was read, in words: "bleeding longer than 20 s · words “clip”". */
export function understoodLabel(u: LibrarySearchResult['understood']): string {
  const parts = u.events.map((e) => {
    let s = EVENT_WORDS[e.event] ?? e.event;
    if (e.duration) s += ` for ${OP_WORDS[e.duration.op]} ${e.duration.seconds} s`;
    if (e.count) s += `, ${OP_WORDS[e.count.op]} ${e.count.n} time${e.count.n === 1 ? '' : 's'}`;
    return s;
  });
  if (u.words.trim()) parts.push(`words “${u.words.trim()}”`);
  return parts.join(' · ');
}

/** The text of a word match with its [bracketed] match, as parts to draw (marked or not). */
export function snippetParts(text: string): { text: string; mark: boolean }[] {
  const out: { text: string; mark: boolean }[] = [];
  const re = /\[([^\]]*)\]/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), mark: false });
    out.push({ text: m[1]!, mark: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), mark: false });
  return out;
}
