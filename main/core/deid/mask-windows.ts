/**
 * Which smeared masks of an exported segment are worked from a decode of their own time window
 * rather than from the segment's picture. A filter graph runs every branch on every frame: a blur
 * mask branched off the segment's picture crops, shrinks and stretches its box all through the
 * segment, even where its span is a second of it, and ffmpeg's filters cannot be switched off in
 * time without the frames in between piling up. A second decode that starts at the window (a
 * keyframe seek) and ends with it does the work only while the mask shows; it costs a decoder, so
 * masks showing over most of the segment stay on its picture, masks close in time share a
 * window, and a segment opens only a few. Pure: spans in, a plan out.
 */

export interface Span {
  from: number;
  to: number;
}

export interface MaskWindow extends Span {
  /** Indices of the masks drawn from this window. */
  members: number[];
}

export interface WindowPlan {
  /** Indices of the masks worked on every frame of the segment. */
  onMain: number[];
  windows: MaskWindow[];
}

/** A mask showing over at least this share of the segment is cheaper worked on its picture. */
export const MAIN_SHARE = 0.5;
/** Masks less than this many seconds apart share a window: decoding the gap costs less than a seek and another decoder. */
export const JOIN_GAP = 2;
/** Decoders a segment opens at most for its windows (each holds a few frames of the recording in memory). */
export const MAX_WINDOWS = 6;
/** ... and a whole clip (ffmpeg opens every input at the start). */
export const MAX_CLIP_WINDOWS = 12;
/** Seconds a window reaches past its masks on either side, for timestamp rounding. */
export const WINDOW_MARGIN = 0.05;
/**
 * Seconds each frame of a window is timed ahead of the same frame of the segment: under any frame
 * gap and over timestamp rounding, so the overlay, which takes the latest window frame not after
 * the segment's, takes the same frame.
 */
export const WINDOW_LEAD = 5e-4;
/**
 * How far past the segment's last frame a window is cut: its copy of that frame (WINDOW_LEAD early)
 * is kept, the next (a frame gap later) is not, or the overlay would add a frame to the clip.
 */
export const LAST_FRAME_SLACK = 2e-4;

export function planMaskWindows(spans: readonly Span[], duration: number, maxWindows = MAX_WINDOWS): WindowPlan {
  if (maxWindows <= 0) return { onMain: spans.map((_, i) => i), windows: [] };
  const onMain: number[] = [];
  const rest: number[] = [];
  spans.forEach((s, i) => ((s.to - s.from) >= MAIN_SHARE * duration ? onMain : rest).push(i));
  rest.sort((a, b) => spans[a]!.from - spans[b]!.from);
  let windows: MaskWindow[] = [];
  for (const i of rest) {
    const s = spans[i]!;
    const last = windows.at(-1);
    if (last && s.from - last.to < JOIN_GAP) {
      last.to = Math.max(last.to, s.to);
      last.members.push(i);
    } else windows.push({ from: s.from, to: s.to, members: [i] });
  }
  while (windows.length > Math.min(MAX_WINDOWS, maxWindows)) {
    let k = 0;
    for (let j = 1; j < windows.length - 1; j++) {
      if (windows[j + 1]!.from - windows[j]!.to < windows[k + 1]!.from - windows[k]!.to) k = j;
    }
    const [a, b] = [windows[k]!, windows[k + 1]!];
    windows = [...windows.slice(0, k), { from: a.from, to: Math.max(a.to, b.to), members: [...a.members, ...b.members] }, ...windows.slice(k + 2)];
  }
  // Windows covering the whole segment between them would decode it twice over for nothing.
  const covered = windows.reduce((sum, w) => sum + (w.to - w.from), 0);
  if (covered >= duration) return { onMain: spans.map((_, i) => i), windows: [] };
  return { onMain: onMain.sort((a, b) => a - b), windows };
}
