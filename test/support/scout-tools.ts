/*
 * Agent tools over fixed per-second display tracks, for the scout's unit tests: the overview is
 * the tracks, a crop's frames carry the tracks' values at their times, and the vision model's
 * detections on each frame are whatever the test says it sees there (undefined: it did not run).
 */
import { createScoutBackend } from '../../main/core/agent/backends/scout/index.js';
import { runAgent, summarizeTracks, type AgentTools, type FrameDetection } from '../../main/core/agent/engine/index.js';
import type { TrackName } from '../../main/core/contract/schemas.js';
import { manualClock } from '../unit/agent/scripted-backend.js';

export type Seen = (time: number) => readonly FrameDetection[] | undefined;

export type Series = Partial<Record<TrackName, number[]>>;

/** The tools, and the times of the single frames asked for. */
export function seriesTools(s: Series, n: number, seen: Seen = () => undefined): AgentTools & { frames: number[] } {
  const at = (k: TrackName, t: number) => s[k]?.[Math.min(n - 1, Math.max(0, Math.floor(t)))] ?? -1;
  const frames: number[] = [];
  const detections = (t: number) => {
    const d = seen(t);
    return d === undefined ? {} : { detections: d };
  };
  return {
    frames,
    async overview() {
      return { frames: [], tracks: summarizeTracks(s), series: s };
    },
    async cropVideo(start, end, count) {
      const times = Array.from({ length: count }, (_, i) => start + ((i + 0.5) * (end - start)) / count);
      return {
        frames: times.map((time, i) => ({ time, ref: `c${i}`, ...detections(time) })),
        signals: summarizeTracks(s, { from: start, to: end }),
        samples: times.map((time) => ({ time, blood: at('blood', time), haze: at('haze', time), outOfBody: at('outOfBody', time), brightness: at('brightness', time) })),
      };
    },
    async getFrame(time) {
      frames.push(time);
      return { time, ref: `f${time}`, width: 1920, height: 1080, ...detections(time) };
    },
  };
}

/** One question to the scout over the tracks. */
export async function askScout(question: string, s: Series, n: number, seen?: Seen) {
  const tools = seriesTools(s, n, seen);
  const record = await runAgent({ question, backend: createScoutBackend(), tools, duration: n, emit: () => {}, runId: 'r', now: manualClock().now });
  return { record, frames: tools.frames };
}
