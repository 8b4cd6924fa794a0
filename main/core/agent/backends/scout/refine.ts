/*
 * Fine placement of a window's boundaries. The per-second tracks come from keyframes, so an
 * edge on them can be off by a keyframe interval; a crop's per-frame samples are measured on the
 * frames themselves and place it to about half a frame spacing.
 */

export interface Sample {
  time: number;
  value: number;
}

export interface StepFit {
  /** Case seconds: halfway between the last frame before the step and the first after. */
  time: number;
  /** Frames on the wrong side of the step (specular flashes, noise). */
  misfits: number;
  frames: number;
}

/**
 * The step (low → high for a start, high → low for an end) that leaves the fewest frames on the
 * wrong side of `threshold`. Counting misfits rather than summing values keeps one glare frame
 * from moving the step. Null when the crop shows no step inside it (all frames on one side, or
 * no split explains the frames well): the coarse boundary then stands.
 */
function usable(samples: readonly Sample[]): Sample[] {
  return samples.filter((s) => Number.isFinite(s.value) && s.value >= 0).sort((a, b) => a.time - b.time);
}

export function fitStep(samples: readonly Sample[], threshold: number, rising: boolean, near: number): StepFit | null {
  const valid = usable(samples);
  const n = valid.length;
  if (n < 2) return null;
  const high = valid.map((s) => s.value >= threshold);
  let best: { k: number; misfits: number; distance: number } | null = null;
  for (let k = 1; k < n; k++) {
    let misfits = 0;
    for (let i = 0; i < n; i++) {
      const shouldBeHigh = i < k ? !rising : rising;
      if (high[i] !== shouldBeHigh) misfits++;
    }
    const time = (valid[k - 1]!.time + valid[k]!.time) / 2;
    const distance = Math.abs(time - near);
    if (best === null || misfits < best.misfits || (misfits === best.misfits && distance < best.distance)) {
      best = { k, misfits, distance };
    }
  }
  if (best === null) return null;
  // "No step in this crop" explains all-high or all-low frames with the minority as misfits; a
  // step must explain the frames better than that, and well.
  const highCount = high.filter(Boolean).length;
  const noStep = Math.min(highCount, n - highCount);
  // A step right at the crop's edge is also what one odd frame looks like, so there it must beat
  // "no step"; with two frames or more on each side it only has to match it.
  const inner = best.k >= 2 && n - best.k >= 2;
  if (best.misfits > Math.floor(n / 4) || best.misfits > noStep || (!inner && best.misfits === noStep)) return null;
  const time = (valid[best.k - 1]!.time + valid[best.k]!.time) / 2;
  return { time, misfits: best.misfits, frames: n };
}

export interface PulseFit {
  /** Null when the event is already there at the crop's first frame (or still there at its last). */
  start: number | null;
  end: number | null;
  misfits: number;
}

/**
 * Both edges of a short event seen in one crop: the run of frames [k1, k2) that best explains the
 * frames as low, high, low. Fitted jointly because the coarse window can be off by more than half
 * its length, so splitting the frames at its middle would hand one edge's frames to the other.
 */
export function fitPulse(
  samples: readonly Sample[],
  threshold: number,
  near: { start: number; end: number },
): PulseFit | null {
  const valid = usable(samples);
  const n = valid.length;
  if (n < 3) return null;
  const high = valid.map((s) => s.value >= threshold);
  const between = (k: number) => (valid[k - 1]!.time + valid[k]!.time) / 2;
  let best: { k1: number; k2: number; misfits: number; distance: number } | null = null;
  for (let k1 = 0; k1 < n; k1++) {
    for (let k2 = k1 + 1; k2 <= n; k2++) {
      let misfits = 0;
      for (let i = 0; i < n; i++) if (high[i] !== (i >= k1 && i < k2)) misfits++;
      const distance =
        (k1 > 0 ? Math.abs(between(k1) - near.start) : 0) + (k2 < n ? Math.abs(between(k2) - near.end) : 0);
      if (best === null || misfits < best.misfits || (misfits === best.misfits && distance < best.distance)) {
        best = { k1, k2, misfits, distance };
      }
    }
  }
  if (best === null || best.misfits > Math.floor(n / 4)) return null;
  // One high frame among lows is a flash, not an event.
  if (best.k2 - best.k1 < 2) return null;
  return {
    start: best.k1 > 0 ? between(best.k1) : null,
    end: best.k2 < n ? between(best.k2) : null,
    misfits: best.misfits,
  };
}

/**
 * Sub-second edges of a pause from per-second motion, where each second holds the mean motion
 * over it. Around an edge the seconds go from active to still (or back), and the one the edge
 * falls in sits part-way; adding up how active each of the `reach` seconds either side is gives
 * how long the active part lasts, and so where the edge is. Seconds without data leave the
 * coarse edge as it was.
 */
export function idleEdges(
  motion: readonly number[],
  coarse: { start: number; end: number },
  levels: { still: number; activeBefore: number; activeAfter: number },
  reach = 2,
): { start: number; end: number } {
  const activeSum = (from: number, to: number, active: number): number | null => {
    const span = active - levels.still;
    if (span <= 0.05 || from < 0 || to > motion.length) return null;
    let sum = 0;
    for (let i = from; i < to; i++) {
      const v = motion[i];
      if (v === undefined || !Number.isFinite(v) || v < 0) return null;
      sum += Math.min(1, Math.max(0, (v - levels.still) / span));
    }
    return sum;
  };
  const half = Math.max(1, Math.min(reach, Math.floor((coarse.end - coarse.start) / 2)));
  const before = activeSum(coarse.start - half, coarse.start + half, levels.activeBefore);
  const after = activeSum(coarse.end - half, coarse.end + half, levels.activeAfter);
  // Active then still: the edge is as far in as the active seconds add up to; still then active,
  // as far back from the end of the neighbourhood.
  const start = before === null ? coarse.start : coarse.start - half + before;
  const end = after === null ? coarse.end : coarse.end + half - after;
  return end - start >= 1 ? { start, end } : coarse;
}
