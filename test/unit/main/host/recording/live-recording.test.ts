import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CaptureFeed, MissedTime, RecordedSource, RecorderRun, RestartBudget, SourceAbsence,
} from '../../../../../main/host/recording/live-recording.js';

/** A clock the test moves by hand (ms). */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RecordedSource', () => {
  it('replays from the start on the first run, and from where a live feed would be on later runs', () => {
    const c = clock();
    const s = new RecordedSource({ kind: 'replay', path: '/r/case.mp4' }, 'replay', 'case.mp4', c.now);
    expect(s.forRun(1)).toEqual({ kind: 'replay', path: '/r/case.mp4' });
    c.advance(12_500);
    expect(s.forRun(2)).toEqual({ kind: 'replay', path: '/r/case.mp4', offset: 12.5 });
    expect(s.device).toBeNull();
  });

  it('gives a device the same source every run and names the device', () => {
    const s = new RecordedSource({ kind: 'device', device: '/dev/video2' }, 'device', '/dev/video2');
    expect(s.forRun(3)).toEqual({ kind: 'device', device: '/dev/video2' });
    expect(s.device).toBe('/dev/video2');
  });
});

describe('CaptureFeed', () => {
  it('takes pieces in order, takes a repeated one as already in, and says when one is missing', () => {
    const c = clock();
    const feed = new CaptureFeed(c.now);
    const sent: (number | null)[] = [];
    feed.connect((d) => sent.push(d ? d[0]! : null));
    const piece = (n: number) => () => new Uint8Array([n]);
    expect(feed.take(0, piece(10))).toBe('taken');
    expect(feed.take(1, piece(11))).toBe('taken');
    expect(feed.take(1, piece(11))).toBe('again');
    expect(feed.take(3, piece(13))).toBe('out-of-order');
    expect(feed.expected).toBe(2);
    feed.end();
    expect(sent).toEqual([10, 11, null]);
  });

  it('counts silence from the last piece, and numbers pieces from 0 again on a new run', () => {
    const c = clock();
    const feed = new CaptureFeed(c.now);
    feed.connect(() => undefined);
    feed.take(0, () => new Uint8Array(1));
    c.advance(9000);
    expect(feed.silentFor()).toBe(9000);
    feed.restart();
    expect(feed.silentFor()).toBe(0);
    expect(feed.expected).toBe(0);
    feed.disconnect();
    expect(feed.connected).toBe(false);
  });
});

describe('RecorderRun', () => {
  it('records at its start in the case plus the seconds it has recorded', () => {
    const run = new RecorderRun(2, '/rec/run-002', 120.5);
    run.seconds = 4.25;
    expect(run.edge).toBe(124.75);
  });
});

describe('SourceAbsence', () => {
  afterEach(() => vi.useRealTimers());

  it('waits until woken (the window says the source is back)', async () => {
    const absence = new SourceAbsence();
    absence.reason = 'Camera was disconnected.';
    let back = false;
    const wait = absence.waitForReturn(null, 10).then(() => (back = true));
    await Promise.resolve();
    expect(back).toBe(false);
    absence.wakeUp();
    await wait;
    expect(back).toBe(true);
    expect(absence.away).toBe(true);
  });

  it('finds a device again by polling for it', async () => {
    vi.useFakeTimers();
    const absence = new SourceAbsence();
    let plugged = false;
    let back = false;
    const wait = absence.waitForReturn(() => plugged, 1000).then(() => (back = true));
    await vi.advanceTimersByTimeAsync(3000);
    expect(back).toBe(false);
    plugged = true;
    await vi.advanceTimersByTimeAsync(1000);
    await wait;
    expect(back).toBe(true);
    absence.wakeUp();
  });
});

describe('MissedTime', () => {
  it('lasts until the next run starts and is given once, to that run', () => {
    const c = clock();
    const missed = new MissedTime(c.now);
    missed.began(c.now(), 'source-lost');
    c.advance(7_000);
    missed.runStarted();
    c.advance(60_000);
    expect(missed.take()).toEqual({ seconds: 7, reason: 'source-lost' });
    expect(missed.take()).toBeNull();
  });

  it('is dropped by a run that recorded nothing, and a run after no loss has none', () => {
    const c = clock();
    const missed = new MissedTime(c.now);
    missed.began(c.now(), 'recorder-restarted');
    missed.runStarted();
    missed.runStarted();
    expect(missed.take()).toBeNull();
  });
});

describe('RestartBudget', () => {
  it('allows a few restarts a minute and refuses one more; old restarts stop counting', () => {
    const c = clock();
    const budget = new RestartBudget(2, c.now);
    expect(budget.allow()).toBe(true);
    expect(budget.allow()).toBe(true);
    expect(budget.allow()).toBe(false);
    c.advance(61_000);
    expect(budget.allow()).toBe(true);
  });
});
