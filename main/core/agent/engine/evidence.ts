/*
 * Evidence as an answer states it, checked like tool arguments: a window the clinician cannot
 * open is worse than none, so invalid items are dropped and the reason is kept in a note.
 */

import { checkTime, showSeconds } from '../tools.js';
import type { EvidenceDraft } from '../types.js';
import { isRecord } from '../../is-record.js';

export interface Evidence {
  id: string;
  /** 1 = best; the answer's order, after dropped items are removed. */
  rank: number;
  start: number;
  end: number;
  /** Key moments inside the window, case seconds. */
  frames: number[];
  claim: string;
  /**
   * Where the object asked about is, at moments of the window (case seconds), as [x1, y1, x2, y2]
   * in pixels of the recording's frame. Only model backends give boxes; absent when none were given.
   */
  boxes?: EvidenceBox[];
}

export interface EvidenceBox {
  time: number;
  box: [number, number, number, number];
}

export interface EvidenceCheck {
  evidence: Evidence[];
  notes: string[];
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
  let from = start.value;
  let to = end.value;
  const hasBoxes = Array.isArray(draft.boxes) && draft.boxes.length > 0;
  if (from === to && hasBoxes && duration > 0) {
    // An object placed at one moment: the window is the second from there, so it can be played.
    if (to + 1 <= duration) to += 1;
    else from = Math.max(0, to - 1);
  }
  if (from >= to) {
    notes.push(`${label}: start ${showSeconds(from)} is not before end ${showSeconds(to)}; dropped`);
    return null;
  }
  for (const n of [start.note, end.note]) if (n) notes.push(`${label}: ${n}`);
  const frames = checkFrames(draft.frames, from, to, item);
  const claim = typeof draft.claim === 'string' ? draft.claim.trim() : '';
  const boxes = hasBoxes ? checkBoxes(draft.boxes, from, to, item) : [];
  return boxes.length ? { start: from, end: to, frames, claim, boxes } : { start: from, end: to, frames, claim };
}

function isBox(value: unknown): value is [number, number, number, number] {
  return Array.isArray(value) && value.length === 4 && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Boxes with a time inside the window and a real extent; the others are dropped with a note. */
function checkBoxes(raw: unknown, start: number, end: number, { duration, label, notes }: ItemContext): EvidenceBox[] {
  if (!Array.isArray(raw)) {
    notes.push(`${label}: boxes is not a list; ignored`);
    return [];
  }
  const out: EvidenceBox[] = [];
  raw.forEach((value: unknown, i) => {
    const item = isRecord(value) ? value : {};
    const t = checkTime(item.time, `box ${i + 1}`, duration);
    if (!t.ok) {
      notes.push(`${label}: ${t.error}; box dropped`);
      return;
    }
    if (t.value < start || t.value > end) {
      notes.push(`${label}: box ${i + 1} at ${showSeconds(t.value)} is outside the window; box dropped`);
      return;
    }
    const box = item.box;
    if (!isBox(box) || box[2] <= box[0] || box[3] <= box[1]) {
      notes.push(`${label}: box ${i + 1} at ${showSeconds(t.value)} is not [x1, y1, x2, y2] with x1 < x2 and y1 < y2; box dropped`);
      return;
    }
    out.push({ time: t.value, box: [box[0], box[1], box[2], box[3]] });
  });
  return out.sort((a, b) => a.time - b.time);
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
