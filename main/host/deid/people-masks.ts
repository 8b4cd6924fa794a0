/*
 * The people masks of a de-identification plan as an export uses them: per clip segment (in the
 * segment's own seconds), at the moment of a still, and as the manifest lists them. The manifest
 * says where and when a person was hidden and what found it, never what the person looked like.
 */

import type { Deidentify } from '../../core/contract/export-schemas.js';
import type { MaskBox } from '../../core/clip-job.js';
import { round3 } from '../../core/round.js';
import type { DeidPlan } from './deid-service.js';

const kept = (plan: DeidPlan, opts: Deidentify) => (opts.people === 'none' ? [] : plan.people.filter((p) => !p.removed));

/** A segment's people masks, in seconds from its first frame (`origin` in case seconds). */
export function segmentPeople(plan: DeidPlan, opts: Deidentify, partId: string, origin: number, length: number): { box: MaskBox; from: number; to: number }[] {
  return kept(plan, opts)
    .filter((p) => p.partId === partId)
    .map((p) => ({ box: p.box, from: Math.max(0, p.start - origin), to: Math.max(0, p.end - origin) }))
    .filter((p) => p.to > p.from && p.from < length);
}

/** The people boxes masked at a case time of a part (a still shows what its clip shows). */
export function peopleAt(plan: DeidPlan, opts: Deidentify, partId: string, time: number): MaskBox[] {
  return kept(plan, opts)
    .filter((p) => p.partId === partId && time >= p.start - 1e-6 && time < p.end - 1e-6)
    .map((p) => p.box);
}

/** The manifest's account of the people masks; `caseStart` is the clip's first case second after `lead`. */
export function peopleManifest(plan: DeidPlan, opts: Deidentify, lead: number, caseStart: number) {
  const clipTime = (t: number) => round3(lead + Math.max(0, t - caseStart));
  const span = (s: { start: number; end: number }) => ({ caseStart: round3(s.start), caseEnd: round3(s.end), clipStart: clipTime(s.start), clipEnd: clipTime(s.end) });
  const masks = kept(plan, opts);
  const inside = plan.peopleInsidePatientView;
  return {
    style: opts.people,
    ...(opts.people === 'none'
      ? { note: `People were not masked: frames filmed outside the patient are hidden by the out-of-body treatment (${opts.outOfBody}) instead.` }
      : {}),
    framesRead: plan.framesRead,
    framesSampled: plan.samples,
    detectors: plan.vision
      ? { models: `${plan.vision.models.objects} "person" and ${plan.vision.models.faces} (@vladmandic/human)`, backend: plan.vision.backend }
      : null,
    masks: masks.map((p) => ({
      partId: p.partId,
      box: p.box,
      source: p.source,
      found: p.found,
      ...span(p),
      insidePatientView: p.insidePatientView,
    })),
    removedByReviewer: opts.people === 'none' ? [] : plan.people.filter((p) => p.removed).map((p) => ({ partId: p.partId, box: p.box, ...span(p) })),
    insidePatientView: {
      frames: inside,
      note: inside > 0 ? `people found in ${inside} frame${inside === 1 ? '' : 's'} inside the patient view, masked all the same` : null,
    },
  };
}
