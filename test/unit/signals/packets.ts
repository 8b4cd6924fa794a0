/**
 * Packet lists as ffprobe would report them for a recording whose motion over time is known:
 * a fixed GOP of keyframes, P and B frames whose sizes follow the activity (plus noise and the
 * cost of a static scene), optionally constant bitrate.
 */

import type { PacketInfo } from '../../../main/core/signals/index.js';
import { rng } from '../../support/signal-frames.js';

export interface PacketOptions {
  duration: number;
  fps?: number;
  /** Seconds between keyframes. */
  gop?: number;
  /** Activity at time t: 0 = nothing moves, 1 = ordinary surgery. */
  activity: (t: number) => number;
  /** Size of a P frame at activity 1 (scales with resolution and bitrate). */
  bytesPerUnit?: number;
  seed?: number;
  /** Constant bitrate: every second gets the same bytes whatever happens. */
  cbr?: boolean;
}

export function synthPackets(o: PacketOptions): PacketInfo[] {
  const fps = o.fps ?? 30;
  const gop = Math.max(1, Math.round((o.gop ?? 2) * fps));
  const unit = o.bytesPerUnit ?? 4000;
  const r = rng(o.seed ?? 11);
  const frames = Math.floor(o.duration * fps);
  const out: PacketInfo[] = [];
  for (let i = 0; i < frames; i++) {
    const time = i / fps;
    const key = i % gop === 0;
    let size: number;
    if (key) size = unit * 12 * (0.9 + 0.2 * r());
    else if (o.cbr) size = unit * (0.95 + 0.1 * r());
    else {
      // A still scene still costs a little (noise, rate-control overhead); B frames are cheaper.
      const weight = i % 3 === 0 ? 1.6 : 0.7;
      size = unit * weight * (0.08 + o.activity(time)) * (0.75 + 0.5 * r());
    }
    out.push({ time, size: Math.max(1, Math.round(size)), key });
  }
  return out;
}
