import { frameIndexAt, seekTimeForFrame } from '../../../../main/core/case-time.js';
import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import { mediaPath } from '../../../../main/core/contract/media-paths.js';
import type { Part } from '../../../../main/core/contract/schemas.js';
import { errorMessage } from '../api/index.js';
import { codecName } from '../util/format.js';
import type { OpenCase } from './open-case.svelte.js';
import type { Toasts } from './toasts.svelte.js';

export const SPEEDS = [0.25, 0.5, 1, 1.5, 2, 4] as const;

type Slot = 0 | 1;
const other = (s: Slot): Slot => (s === 0 ? 1 : 0);

/** Nearest allowed speed (a stored view may hold any value in range). */
export function snapSpeed(s: number): number {
  let best: number = SPEEDS[2];
  for (const v of SPEEDS) if (Math.abs(v - s) < Math.abs(best - s)) best = v;
  return best;
}

/** Why a part cannot be shown by the player, or null when it can. */
export function unplayableReason(part: Part): string | null {
  if (part.missing) return `${part.fileName} is missing from ${part.path}.`;
  if (part.playback === 'proxy-pending') {
    return `Making a playable copy — ${codecName(part.codec)} cannot be played directly.`;
  }
  return null;
}

/**
 * Plays a case's parts as one timeline with two <video> elements: the part on screen and its
 * neighbour, preloaded so that playback crosses a part boundary without a pause. Positions are
 * frames, found from the parts' real frame timestamps; the frame on screen is reported by
 * requestVideoFrameCallback.
 */
export class Player {
  playing = $state(false);
  speed = $state(1);
  muted = $state(false);
  /** Case time of the frame on screen. */
  position = $state(0);
  partIndex = $state(0);
  /** Index of the frame on screen within its part; -1 while the part's timestamps are unknown. */
  partFrame = $state(-1);
  /** The last requested frame is on screen (no seek or load pending). */
  settled = $state(false);
  activeSlot = $state<Slot>(0);
  waiting = $state(false);
  /** Media errors of each slot's part, e.g. a codec the engine cannot decode. */
  slotErrors = $state<[string | null, string | null]>([null, null]);
  /** Part index loaded into each slot (-1: none). */
  slotParts = $state<[number, number]>([-1, -1]);
  /** Case time where playback stops by itself (a window being played); null: plays on. */
  stopAt = $state<number | null>(null);

  caseFrame = $derived.by(() => {
    if (this.partFrame < 0) return null;
    let n = this.partFrame;
    for (let k = 0; k < this.partIndex; k++) {
      const t = this.current.frameTimes[k];
      if (!t) return null;
      n += t.length;
    }
    return n;
  });

  totalFrames = $derived.by(() => {
    let n = 0;
    for (const t of this.current.frameTimes) {
      if (!t) return null;
      n += t.length;
    }
    return this.current.frameTimes.length ? n : null;
  });

  currentPart = $derived.by(() => this.current.detail.parts[this.partIndex] ?? null);
  blockedReason = $derived(this.currentPart ? unplayableReason(this.currentPart) : null);
  mediaError = $derived(this.slotErrors[this.activeSlot]);

  private readonly videos: (HTMLVideoElement | null)[] = [null, null];
  private readonly slotUrls: (string | null)[] = [null, null];
  private readonly pendingTime: (number | null)[] = [null, null];
  private readonly queuedTime: (number | null)[] = [null, null];
  private readonly busy: boolean[] = [false, false];
  private readonly busyTimers: (ReturnType<typeof setTimeout> | null)[] = [null, null];

  constructor(
    private readonly current: OpenCase,
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
  ) {}

  private get parts(): Part[] {
    return this.current.detail.parts;
  }

  private start(pi: number): number {
    return this.current.timeline.starts[pi] ?? 0;
  }

  /** Connects one of the two video elements; returns its cleanup. */
  attach(slot: Slot, v: HTMLVideoElement): () => void {
    this.videos[slot] = v;
    v.playbackRate = this.speed;
    v.muted = this.muted;
    let disposed = false;
    let handle = 0;
    const active = () => slot === this.activeSlot;

    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      if (disposed) return;
      handle = v.requestVideoFrameCallback(onFrame);
      if (!active() || this.busy[slot]) return;
      this.showing(slot, meta.mediaTime);
    };
    if ('requestVideoFrameCallback' in v) handle = v.requestVideoFrameCallback(onFrame);

    const on = <K extends keyof HTMLVideoElementEventMap>(type: K, fn: (e: HTMLVideoElementEventMap[K]) => void) => {
      v.addEventListener(type, fn);
      return () => v.removeEventListener(type, fn);
    };
    const offs = [
      on('loadedmetadata', () => {
        v.playbackRate = this.speed;
        const t = this.pendingTime[slot] ?? null;
        this.pendingTime[slot] = null;
        if (t !== null) this.assignTime(slot, t);
      }),
      on('loadeddata', () => {
        if (this.pendingTime[slot] === null && !v.seeking) this.unbusy(slot);
      }),
      on('seeked', () => {
        const q = this.queuedTime[slot] ?? null;
        this.queuedTime[slot] = null;
        if (q !== null) this.assignTime(slot, q);
        else this.unbusy(slot);
      }),
      on('ended', () => {
        if (active()) this.onEnded(slot);
      }),
      on('waiting', () => {
        if (active()) this.waiting = true;
      }),
      on('playing', () => {
        if (active()) this.waiting = false;
      }),
      on('canplay', () => {
        if (active()) this.waiting = false;
      }),
      on('pause', () => {
        // Paused by the engine (not by us), e.g. the page went to the background.
        if (active() && this.playing && !v.ended) this.playing = false;
      }),
      on('error', () => {
        const part = this.parts[this.slotParts[slot]];
        const message = describeMediaError(v.error, part);
        this.slotErrors[slot] = message;
        this.unbusy(slot);
        if (active()) {
          this.playing = false;
          this.toasts.show('error', 'The recording cannot be played', message);
        }
      }),
    ];
    if (this.slotParts[slot] >= 0) {
      // The element was replaced (re-rendered): load its part again.
      const pi = this.slotParts[slot];
      this.slotUrls[slot] = null;
      this.load(slot, pi, null);
      if (slot === this.activeSlot) this.seek(this.position);
    }
    return () => {
      disposed = true;
      if (handle && 'cancelVideoFrameCallback' in v) v.cancelVideoFrameCallback(handle);
      offs.forEach((off) => off());
      if (this.videos[slot] === v) this.videos[slot] = null;
    };
  }

  /** The engine presented a frame of the active slot at `mediaTime` (seconds from the part's start). */
  private showing(slot: Slot, mediaTime: number) {
    const pi = this.slotParts[slot];
    if (pi < 0) return;
    const times = this.current.frameTimes[pi];
    if (times && times.length) {
      const i = frameIndexAt(times, mediaTime);
      this.partFrame = i;
      this.position = this.start(pi) + times[i]!;
    } else {
      this.partFrame = -1;
      this.position = this.start(pi) + mediaTime;
    }
    this.partIndex = pi;
    this.settled = true;
    if (this.playing) {
      this.current.followPlayhead(this.position);
      this.current.viewChanged();
      // A window being played ends on its last frame, not wherever the engine got to.
      if (this.stopAt !== null && this.position >= this.stopAt - 1e-3) {
        const end = this.stopAt;
        this.pause();
        this.seek(end);
      }
    }
  }

  private unbusy(slot: Slot) {
    this.busy[slot] = false;
    const t = this.busyTimers[slot];
    if (t) clearTimeout(t);
    this.busyTimers[slot] = null;
    if (slot === this.activeSlot) this.settled = true;
  }

  private makeBusy(slot: Slot) {
    this.busy[slot] = true;
    const t = this.busyTimers[slot];
    if (t) clearTimeout(t);
    // A seek that never reports back (engine quirk) must not freeze the frame display.
    this.busyTimers[slot] = setTimeout(() => this.unbusy(slot), 4000);
  }

  private assignTime(slot: Slot, t: number) {
    const v = this.videos[slot];
    if (!v) return;
    this.makeBusy(slot);
    v.currentTime = t;
  }

  private setMediaTime(slot: Slot, t: number) {
    const v = this.videos[slot];
    if (!v || !this.slotUrls[slot]) return;
    if (v.readyState < HTMLMediaElement.HAVE_METADATA) {
      this.pendingTime[slot] = t;
      this.makeBusy(slot);
      return;
    }
    // While a seek is running, only the latest request is kept: scrubbing stays responsive.
    if (this.busy[slot] && v.seeking) {
      this.queuedTime[slot] = t;
      return;
    }
    this.assignTime(slot, t);
  }

  private load(slot: Slot, pi: number, mediaTime: number | null) {
    this.slotParts[slot] = pi;
    const v = this.videos[slot];
    const part = this.parts[pi];
    if (!v || !part) return;
    if (unplayableReason(part)) {
      if (this.slotUrls[slot]) {
        v.removeAttribute('src');
        v.load();
      }
      this.slotUrls[slot] = null;
      this.slotErrors[slot] = null;
      this.unbusy(slot);
      return;
    }
    const url = this.api.mediaUrl(mediaPath.part(part.id));
    if (this.slotUrls[slot] !== url) {
      this.slotUrls[slot] = url;
      this.slotErrors[slot] = null;
      this.pendingTime[slot] = null;
      this.queuedTime[slot] = null;
      v.preload = 'auto';
      v.src = url;
      this.makeBusy(slot);
    }
    if (mediaTime !== null) this.setMediaTime(slot, mediaTime);
  }

  /** Makes the part the active slot's, using the preloaded neighbour when it is there. */
  private slotFor(pi: number): Slot {
    const a = this.activeSlot;
    if (this.slotParts[a] === pi && (this.slotUrls[a] || unplayableReason(this.parts[pi]!))) return a;
    const b = other(a);
    if (this.slotParts[b] === pi && (this.slotUrls[b] || unplayableReason(this.parts[pi]!))) {
      this.videos[a]?.pause();
      this.activeSlot = b;
      return b;
    }
    this.load(a, pi, null);
    return a;
  }

  /** Keeps the next part (or the previous one, at the end) ready in the hidden slot. */
  private preloadNeighbour() {
    const a = this.activeSlot;
    const pi = this.slotParts[a];
    const n = this.parts.length;
    const want = pi + 1 < n ? pi + 1 : pi - 1;
    if (want < 0 || want === pi) return;
    const b = other(a);
    if (this.slotParts[b] === want && (this.slotUrls[b] || unplayableReason(this.parts[want]!))) return;
    const times = this.current.frameTimes[want];
    const part = this.parts[want]!;
    const t = want > pi ? (times?.length ? seekTimeForFrame(times, 0, part.duration) : 0) : times?.length ? seekTimeForFrame(times, times.length - 1, part.duration) : part.duration;
    this.load(b, want, t);
  }

  private goto(pi: number, mediaTime: number, position: number, frame: number) {
    this.position = position;
    this.partIndex = pi;
    this.partFrame = frame;
    this.settled = false;
    const slot = this.slotFor(pi);
    if (unplayableReason(this.parts[pi]!)) {
      this.settled = true;
      if (this.playing) this.pause();
    } else {
      this.setMediaTime(slot, mediaTime);
      const v = this.videos[slot];
      if (this.playing && v && v.paused) this.startVideo(v);
    }
    this.preloadNeighbour();
    this.current.viewChanged();
  }

  /** Shows frame `i` of part `pi`. */
  showFrame(pi: number, i: number): void {
    const part = this.parts[pi];
    const times = this.current.frameTimes[pi];
    if (!part) return;
    if (!times || times.length === 0) {
      this.goto(pi, 0, this.start(pi), -1);
      return;
    }
    const k = Math.max(0, Math.min(times.length - 1, i));
    this.goto(pi, seekTimeForFrame(times, k, part.duration), this.start(pi) + times[k]!, k);
  }

  /** Shows the frame on screen at case time `t` (clamped to the case). */
  seek(t: number): void {
    this.stopAt = null;
    if (this.parts.length === 0) return;
    const loc = this.current.timeline.locate(t);
    const times = this.current.frameTimes[loc.index];
    if (times && times.length) this.showFrame(loc.index, frameIndexAt(times, loc.offset));
    else this.goto(loc.index, loc.offset, this.start(loc.index) + loc.offset, -1);
    this.current.followPlayhead(this.position);
  }

  /** Moves by whole frames, across part boundaries, using the real timestamps. */
  step(n: number): void {
    if (this.parts.length === 0) return;
    if (this.playing) this.pause();
    let pi = this.partIndex;
    let times = this.current.frameTimes[pi];
    if (!times || times.length === 0) {
      // Timestamps still loading: move by the nominal frame duration meanwhile.
      const fps = this.parts[pi]?.fps || 30;
      this.seek(this.position + n / fps);
      return;
    }
    let i = (this.partFrame >= 0 ? this.partFrame : frameIndexAt(times, this.position - this.start(pi))) + n;
    while (i >= times.length && pi + 1 < this.parts.length) {
      i -= times.length;
      pi++;
      times = this.current.frameTimes[pi];
      if (!times || times.length === 0) {
        this.seek(this.start(pi));
        return;
      }
    }
    while (i < 0 && pi > 0) {
      pi--;
      times = this.current.frameTimes[pi];
      if (!times || times.length === 0) {
        this.seek(this.start(pi));
        return;
      }
      i += times.length;
    }
    this.showFrame(pi, Math.max(0, Math.min(times.length - 1, i)));
    this.current.followPlayhead(this.position);
  }

  /** Moves by seconds (clamped to the case); playback continues if it was playing. */
  skip(seconds: number): void {
    this.seek(Math.max(0, Math.min(this.current.duration, this.position + seconds)));
  }

  toStart(): void {
    this.seek(0);
  }

  toEnd(): void {
    const last = this.parts.length - 1;
    if (last < 0) return;
    if (this.playing) this.pause();
    const times = this.current.frameTimes[last];
    if (times?.length) this.showFrame(last, times.length - 1);
    else this.seek(this.current.duration);
    this.current.followPlayhead(this.position);
  }

  private atEnd(): boolean {
    const last = this.parts.length - 1;
    const times = this.current.frameTimes[last];
    if (this.partIndex !== last) return false;
    if (times?.length) return this.partFrame >= times.length - 1;
    return this.position >= this.current.duration - 0.05;
  }

  private startVideo(v: HTMLVideoElement) {
    v.playbackRate = this.speed;
    v.play().catch((err: unknown) => {
      // play() is interrupted by a pause or a new source; that is not a failure.
      if (err instanceof DOMException && err.name === 'AbortError') return;
      if (err instanceof DOMException && err.name === 'NotAllowedError' && !v.muted) {
        this.setMuted(true);
        this.toasts.info('Sound is muted', 'The browser only allows playback without sound until you interact with the page.');
        this.startVideo(v);
        return;
      }
      this.playing = false;
      this.toasts.error('Playback failed', err);
    });
  }

  play(): void {
    const part = this.currentPart;
    if (!part) return;
    const blocked = unplayableReason(part);
    if (blocked) {
      this.toasts.info('This part cannot be played yet', blocked);
      return;
    }
    if (this.mediaError) {
      this.toasts.show('error', 'The recording cannot be played', this.mediaError);
      return;
    }
    if (this.atEnd()) this.seek(0);
    const v = this.videos[this.activeSlot];
    if (!v) return;
    this.playing = true;
    this.startVideo(v);
    this.preloadNeighbour();
  }

  /** Plays exactly the window from `start` to `end` (case time) and stops on its last frame. */
  playWindow(start: number, end: number): void {
    const d = this.current.duration;
    const a = Math.max(0, Math.min(d, start));
    const b = Math.max(a, Math.min(d, end));
    this.seek(a);
    if (b <= a) return;
    this.stopAt = b;
    this.play();
    if (!this.playing) this.stopAt = null;
  }

  pause(): void {
    this.stopAt = null;
    this.playing = false;
    this.waiting = false;
    this.videos[this.activeSlot]?.pause();
    this.current.viewChanged();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(s: number): void {
    this.speed = snapSpeed(s);
    for (const v of this.videos) if (v) v.playbackRate = this.speed;
    this.current.viewChanged();
  }

  /** L: play, then faster. */
  faster(): void {
    if (!this.playing) {
      this.play();
      return;
    }
    const i = SPEEDS.indexOf(snapSpeed(this.speed) as (typeof SPEEDS)[number]);
    if (i < SPEEDS.length - 1) this.setSpeed(SPEEDS[i + 1]!);
  }

  /** J: slower while playing (pausing below the slowest speed); one frame back while paused. */
  slower(): void {
    if (!this.playing) {
      this.step(-1);
      return;
    }
    const i = SPEEDS.indexOf(snapSpeed(this.speed) as (typeof SPEEDS)[number]);
    if (i > 0) this.setSpeed(SPEEDS[i - 1]!);
    else this.pause();
  }

  setMuted(m: boolean): void {
    this.muted = m;
    for (const v of this.videos) if (v) v.muted = m;
  }

  private onEnded(slot: Slot) {
    const pi = this.slotParts[slot];
    if (pi + 1 < this.parts.length && this.playing) {
      const next = pi + 1;
      const b = this.slotFor(next);
      const times = this.current.frameTimes[next];
      this.partIndex = next;
      this.partFrame = times?.length ? 0 : -1;
      this.position = this.start(next) + (times?.[0] ?? 0);
      if (unplayableReason(this.parts[next]!)) {
        this.pause();
      } else {
        const v = this.videos[b];
        if (v) {
          if (this.busy[b] && !v.seeking && v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) this.unbusy(b);
          this.startVideo(v);
        }
      }
      this.preloadNeighbour();
      return;
    }
    this.stopAt = null;
    this.playing = false;
    this.waiting = false;
    this.current.viewChanged();
  }

  /** Frame timestamps of a part arrived: place the frame on screen exactly. */
  frameTimesArrived(pi: number): void {
    if (pi === this.partIndex && !this.playing) this.seek(this.position);
    else if (pi !== this.partIndex) this.preloadNeighbour();
  }

  /** Parts were re-read (durations refined, a proxy finished, a file relinked). */
  partsChanged(): void {
    for (const slot of [0, 1] as const) {
      const pi = this.slotParts[slot];
      const part = this.parts[pi];
      if (!part) {
        this.slotParts[slot] = -1;
        continue;
      }
      const playableNow = !unplayableReason(part);
      if (playableNow !== Boolean(this.slotUrls[slot])) {
        this.slotUrls[slot] = null;
        this.load(slot, pi, null);
        if (slot === this.activeSlot) this.seek(this.position);
      }
    }
    if (this.partIndex >= this.parts.length) this.seek(0);
  }

  /** The frame shown right now, for tests and diagnostics. */
  activeVideo(): HTMLVideoElement | null {
    return this.videos[this.activeSlot] ?? null;
  }

  dispose(): void {
    for (const v of this.videos) {
      if (!v) continue;
      v.pause();
      v.removeAttribute('src');
      v.load();
    }
    this.slotUrls[0] = this.slotUrls[1] = null;
  }
}

function describeMediaError(err: MediaError | null, part: Part | undefined): string {
  const name = part ? part.fileName : 'The recording';
  const detail = err?.message ? ` (${err.message})` : '';
  switch (err?.code) {
    case MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED:
      return `${name} cannot be played here: ${part ? `${codecName(part.codec)} in ${part.container}` : 'unsupported format'}${detail}. A playable copy can be made while indexing (Settings → Make playable copies).`;
    case MediaError.MEDIA_ERR_DECODE:
      return `${name} could not be decoded at this point${detail}.`;
    case MediaError.MEDIA_ERR_NETWORK:
      return `${name} could not be read${detail}. Is the file still in place?`;
    default:
      return `${name} could not be played${detail || `: ${errorMessage(err)}`}.`;
  }
}
