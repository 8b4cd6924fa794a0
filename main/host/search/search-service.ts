/*
 * Searching the library: cases by the events the index finds in them (the scout's own labelling
 * of each second, so "bleeding" here is what the scout would answer) with a condition on how long
 * or how often, and by the words of their questions, answers, review comments and bookmark labels
 * (SQLite FTS5). A case must meet every event condition and, when words are given, hold them.
 */

import { labelCase } from '../../core/agent/backends/scout/case-labels.js';
import { DEFAULT_SCOUT_OPTIONS } from '../../core/agent/backends/scout/policy.js';
import type { LibraryMoment, LibrarySearchResult } from '../../core/contract/similar-schemas.js';
import type { TrackName } from '../../core/contract/schemas.js';
import { ftsQuery, matchingEpisodes, parseLibraryQuery } from '../../core/similar/library-query.js';
import { round3 } from '../../core/round.js';
import type { CaseViews } from '../cases/case-views.js';
import { aggregateIndexStatus, type Store } from '../store/store.js';
import type { LibraryTextStore } from './search-repository.js';

/** Text matches read before they are grouped by case. */
const TEXT_ROWS = 1000;

export class LibrarySearch {
  constructor(
    private readonly store: Store,
    private readonly texts: LibraryTextStore,
    private readonly views: CaseViews,
  ) {}

  search(query: string, limit: number): LibrarySearchResult {
    const understood = parseLibraryQuery(query);
    const fts = ftsQuery(understood.words);
    const cases = this.store.listCases();
    const unindexed: LibrarySearchResult['unindexed'] = [];
    const byCase = new Map<string, { moments: LibraryMoment[]; texts: { kind: LibraryMoment['kind']; text: string }[]; rank: number }>();

    let candidates = cases;
    if (fts) {
      const matches = this.texts.match(fts, TEXT_ROWS);
      matches.forEach((m, rank) => {
        const entry = byCase.get(m.caseId) ?? { moments: [], texts: [], rank };
        if (m.moments.length === 0) entry.texts.push({ kind: m.kind, text: m.snippet });
        for (const w of m.moments) entry.moments.push({ kind: m.kind, start: round3(w.start), end: round3(w.end), text: m.snippet });
        byCase.set(m.caseId, entry);
      });
      candidates = cases.filter((c) => byCase.has(c.id));
    }

    const out: LibrarySearchResult['cases'] = [];
    for (const c of candidates) {
      const entry = byCase.get(c.id) ?? { moments: [], texts: [], rank: 0 };
      if (understood.events.length > 0) {
        const status = aggregateIndexStatus(this.store.indexStates(c.id));
        if (status.state !== 'done') {
          unindexed.push({ caseId: c.id, caseName: c.name });
          continue;
        }
        const series = Object.fromEntries(this.views.tracks(c.id).tracks.map((t) => [t.name, t.values])) as Partial<Record<TrackName, number[]>>;
        const labels = labelCase(series, DEFAULT_SCOUT_OPTIONS.thresholds);
        let all = true;
        for (const cond of understood.events) {
          const episodes = labels.episodes[cond.event];
          const found = matchingEpisodes(episodes, cond);
          if (!found) {
            all = false;
            break;
          }
          for (const e of found) entry.moments.push({ kind: cond.event, start: e.start, end: e.end, text: null });
        }
        if (!all) continue;
      }
      entry.moments.sort((a, b) => a.start - b.start || a.end - b.end);
      out.push({ caseId: c.id, caseName: c.name, moments: entry.moments, texts: entry.texts });
    }
    // Cases whose words matched best first; events alone keep the library's order.
    if (fts) out.sort((a, b) => byCase.get(a.caseId)!.rank - byCase.get(b.caseId)!.rank);
    return { understood, cases: out.slice(0, limit), unindexed };
  }
}
