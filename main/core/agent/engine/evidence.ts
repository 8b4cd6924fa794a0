/*
 * Evidence as an answer states it, checked like tool arguments: a window the clinician cannot
 * open is worse than none, so invalid items are dropped and the reason is kept in a note.
 */

import { checkTime, showSeconds } from '../tools.js';
import type { EvidenceDraft } from '../types.js';

export interface Evidence {
  id: string;
  /** 1 = best; the answer's order, after dropped items are removed. */
  rank: number;
  start: number;
  end: number;
  /** Key moments inside the window, case seconds. */
  frames: number[];
  claim: string;
}

export interface EvidenceCheck {
  evidence: Evidence[];
  notes: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface ItemContext {
  duration: number;
  /** "evidence 2": how notes name the item. */
  label: string;
  notes: string[];
}

function checkFrames(raw: unknown, start: number, end: number, { duration, label, notes }: ItemContext): number[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    notes.push(`${label}: frames is not a list; ignored`);
    return [];
  }
  const out: number[] = [];
  raw.forEach((value: unknown, i) => {
    const t = checkTime(value, `frame ${i + 1}`, duration);
    if (!t.ok) {
      notes.push(`${label}: ${t.error}; frame dropped`);
      return;
    }
    if (t.note) notes.push(`${label}: ${t.note}`);
    if (t.value < start || t.value > end) {
      notes.push(`${label}: frame ${i + 1} at ${showSeconds(t.value)} is outside the window; frame dropped`);
      return;
    }
    out.push(t.value);
  });
  return out;
}

function checkOne(draft: unknown, item: ItemContext): Omit<Evidence, 'id' | 'rank'> | null {
  const { duration, label, notes } = item;
  if (!isRecord(draft)) {
    notes.push(`${label} is not an object; dropped`);
    return null;
  }
  const start = checkTime(draft.start, 'start', duration);
  if (!start.ok) {
    notes.push(`${label}: ${start.error}; dropped`);
    return null;
  }
  const end = checkTime(draft.end, 'end', duration);
  if (!end.ok) {
    notes.push(`${label}: ${end.error}; dropped`);
    return null;
  }
  if (start.value >= end.value) {
    notes.push(`${label}: start ${showSeconds(start.value)} is not before end ${showSeconds(end.value)}; dropped`);
    return null;
  }
  for (const n of [start.note, end.note]) if (n) notes.push(`${label}: ${n}`);
  const frames = checkFrames(draft.frames, start.value, end.value, item);
  const claim = typeof draft.claim === 'string' ? draft.claim.trim() : '';
  return { start: start.value, end: end.value, frames, claim };
}

/**
 * Checks an answer's evidence against the case; kept items keep their order (best first) and get
 * ids from `idFor(rank)`. Notes name items by their position in the answer ("evidence 2").
 */
export function checkEvidence(
  drafts: readonly EvidenceDraft[] | unknown,
  duration: number,
  idFor: (rank: number) => string,
): EvidenceCheck {
  const notes: string[] = [];
  if (drafts === undefined || drafts === null) return { evidence: [], notes };
  if (!Array.isArray(drafts)) return { evidence: [], notes: ['the evidence is not a list; ignored'] };
  const evidence: Evidence[] = [];
  drafts.forEach((draft: unknown, i) => {
    const checked = checkOne(draft, { duration, label: `evidence ${i + 1}`, notes });
    if (!checked) return;
    const rank = evidence.length + 1;
    evidence.push({ id: idFor(rank), rank, ...checked });
  });
  return { evidence, notes };
}
