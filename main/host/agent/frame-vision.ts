/*
 * The pretrained detector (COCO CenterNet of the vision runtime) on the frames the agent looks at.
 * It runs in the model worker, whose inference blocks its own process and nothing else, and only
 * on frames a tool returns: never on every frame of a case. A frame looked at once is remembered
 * (by part, file and frame index, whatever size it was returned at), so asking again is free.
 *
 * A model worker that cannot load the models takes nothing down: the caller gets the reason, the
 * tools return their frames without detections and say "vision unavailable: <why>" in the trace.
 * The reason is kept for a while so that every tool call does not pay for a failing load again.
 */

import type { FrameDetection } from '../../core/agent/engine/types.js';
import { OpscopeError } from '../../core/errors.js';
import { LruMap } from '../../core/lru-map.js';
import type { VisionDetection, VisionImage } from '../../core/worker-protocol.js';
import { OBJECT_MIN_SCORE, ROOM_PERSON_SCORE } from '../../worker/vision/runtime.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';

/** One frame to look at. */
export interface VisionTarget {
  /** Names the frame whatever its size: part id, file fingerprint and frame index. */
  key: string;
  /** How the model worker reads it; `time` is reported back as given. */
  image: VisionImage;
  /** The frame the boxes are given for (a crop frame is smaller than the recording). */
  width: number;
  height: number;
}

export type VisionOutcome = { ok: true; detections: FrameDetection[][]; ms: number } | { ok: false; reason: string };

/** What is kept of a frame: boxes as shares of the picture, so any size of the frame can use them. */
interface Seen {
  label: string;
  score: number;
  box: [number, number, number, number];
}

const REMEMBERED_FRAMES = 4096;
/** After a failed load, tools go without detections this long before the worker is asked again. */
const RETRY_AFTER_MS = 60_000;
/** More objects than a clinician or a backend can use on one frame. */
const MAX_PER_FRAME = 8;

/**
 * What counts as found: a person only from the score where CenterNet stops calling tissue one
 * (ROOM_PERSON_SCORE), other objects from the runtime's own reporting floor.
 */
function kept(d: VisionDetection): boolean {
  return d.score >= (d.label === 'person' ? ROOM_PERSON_SCORE : OBJECT_MIN_SCORE);
}

function share(d: VisionDetection, width: number, height: number): Seen {
  const [x, y, w, h] = d.box;
  return { label: d.label, score: d.score, box: [x / width, y / height, (x + w) / width, (y + h) / height] };
}

function toFrame(s: Seen, width: number, height: number): FrameDetection {
  const [x1, y1, x2, y2] = s.box;
  return { label: s.label, score: s.score, box: [Math.round(x1 * width), Math.round(y1 * height), Math.round(x2 * width), Math.round(y2 * height)] };
}

export class FrameVision {
  private readonly known = new LruMap<string, Seen[]>(REMEMBERED_FRAMES);
  private down: { reason: string; until: number } | null = null;

  constructor(
    private readonly worker: Pick<WorkerSupervisor, 'run'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Detections per target, in the targets' order, in [x1, y1, x2, y2] pixels of each target's frame. */
  async look(targets: readonly VisionTarget[], signal: AbortSignal): Promise<VisionOutcome> {
    if (this.down && this.now() < this.down.until) return { ok: false, reason: this.down.reason };
    const todo = targets.filter((t, k) => !this.known.get(t.key) && targets.findIndex((o) => o.key === t.key) === k);
    let ms = 0;
    if (todo.length > 0) {
      try {
        const r = await this.worker.run('visionDetect', { images: todo.map((t) => t.image), detect: ['objects'], minScore: { objects: OBJECT_MIN_SCORE } }, { signal });
        todo.forEach((t, k) => {
          const f = r.frames[k];
          if (!f) return;
          this.known.set(t.key, f.objects.filter(kept).slice(0, MAX_PER_FRAME).map((d) => share(d, f.width, f.height)));
        });
        ms = r.ms;
        this.down = null;
      } catch (err) {
        if (signal.aborted) throw new OpscopeError('canceled', 'Canceled.');
        const reason = err instanceof Error ? err.message : String(err);
        this.down = { reason, until: this.now() + RETRY_AFTER_MS };
        return { ok: false, reason };
      }
    }
    return { ok: true, detections: targets.map((t) => (this.known.get(t.key) ?? []).map((s) => toFrame(s, t.width, t.height))), ms };
  }
}

/** The note a tool result carries when its frames went without the detector. */
export function visionUnavailableNote(reason: string): string {
  return `vision unavailable: ${reason}`;
}
