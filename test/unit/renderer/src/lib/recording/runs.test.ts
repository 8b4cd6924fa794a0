import { describe, expect, it } from 'vitest';
import { captureAction, ResumeBudget, type CaptureLocal, type RecordingView } from '../../../../../../renderer/src/lib/recording/runs.js';

const local = (o: Partial<CaptureLocal> = {}): CaptureLocal => ({
  owner: true, baseRun: 0, capturingRun: null, refusedRun: null, lostRun: null, resumeAskedAt: null, trackLive: true, ...o,
});
const view = (o: Partial<RecordingView> = {}): RecordingView => ({ recordingId: 'rec123', source: 'capture', state: 'recording', run: 1, ...o });

describe('what the capturing window does', () => {
  it('starts a recorder for the first run, and nothing more while it sends', () => {
    expect(captureAction(view(), local())).toEqual({ kind: 'start-run', run: 1 });
    expect(captureAction(view(), local({ capturingRun: 1 }))).toEqual({ kind: 'none' });
  });

  it('starts a fresh recorder (a new stream header) when the backend starts a new run', () => {
    expect(captureAction(view({ run: 2 }), local({ capturingRun: 1 }))).toEqual({ kind: 'start-run', run: 2 });
    // An event about an older run changes nothing.
    expect(captureAction(view({ run: 1 }), local({ capturingRun: 2 }))).toEqual({ kind: 'none' });
  });

  it('stops the recorder while the recording waits, and resumes when the source is live', () => {
    expect(captureAction(view({ state: 'waiting' }), local({ capturingRun: 1 }))).toEqual({ kind: 'stop-run' });
    expect(captureAction(view({ state: 'waiting' }), local())).toEqual({ kind: 'resume', run: 1 });
    // Asked once per run; the backend starts the next run.
    expect(captureAction(view({ state: 'waiting' }), local({ resumeAskedAt: 1 }))).toEqual({ kind: 'none' });
    // The device is gone: wait for it (or for people).
    expect(captureAction(view({ state: 'waiting' }), local({ trackLive: false }))).toEqual({ kind: 'none' });
  });

  it('reports a lost source once when the track ended while recording', () => {
    expect(captureAction(view(), local({ trackLive: false, capturingRun: 1 }))).toEqual({ kind: 'stop-run' });
    expect(captureAction(view(), local({ trackLive: false }))).toEqual({ kind: 'lose', run: 1 });
    expect(captureAction(view(), local({ trackLive: false, lostRun: 1 }))).toEqual({ kind: 'none' });
  });

  it('never joins a run fed by a window before a reload: it ends it, then resumes', () => {
    const taken = local({ baseRun: 3 });
    expect(captureAction(view({ run: 3 }), taken)).toEqual({ kind: 'lose', run: 3 });
    expect(captureAction(view({ run: 3 }), { ...taken, lostRun: 3 })).toEqual({ kind: 'none' });
    expect(captureAction(view({ run: 3, state: 'waiting' }), { ...taken, lostRun: 3 })).toEqual({ kind: 'resume', run: 3 });
    expect(captureAction(view({ run: 4 }), { ...taken, lostRun: 3, resumeAskedAt: 3 })).toEqual({ kind: 'start-run', run: 4 });
  });

  it('does not start a refused run again', () => {
    expect(captureAction(view({ run: 2 }), local({ refusedRun: 2 }))).toEqual({ kind: 'none' });
    expect(captureAction(view({ run: 3 }), local({ refusedRun: 2 }))).toEqual({ kind: 'start-run', run: 3 });
  });

  it('lets go when the recording stops, ends, or is not this window’s', () => {
    expect(captureAction(view({ state: 'stopping' }), local({ capturingRun: 1 }))).toEqual({ kind: 'stop-run' });
    expect(captureAction(view({ state: 'stopping' }), local())).toEqual({ kind: 'none' });
    expect(captureAction(null, local({ capturingRun: 1 }))).toEqual({ kind: 'stop-run' });
    expect(captureAction(view(), local({ owner: false }))).toEqual({ kind: 'none' });
    expect(captureAction(view({ source: 'device' }), local())).toEqual({ kind: 'none' });
  });
});

describe('automatic resumes', () => {
  it('are limited, so a failing source cannot loop', () => {
    const b = new ResumeBudget(3, 60_000);
    expect([b.take(0), b.take(1), b.take(2), b.take(3)]).toEqual([true, true, true, false]);
    expect(b.take(60_001)).toBe(true);
    b.reset();
    expect(b.take(60_002)).toBe(true);
  });
});
