import { describe, expect, it } from 'vitest';
import {
  checkFrameCount,
  checkTime,
  checkToolCall,
  summarizeTrack,
  summarizeTracks,
  type CallCheck,
} from '../../../../../main/core/agent/engine/index.js';

const CASE = { duration: 1200 };

function ok(result: CallCheck) {
  if (!result.ok) throw new Error(`expected a valid call, got: ${result.error}`);
  return result;
}

function err(result: CallCheck): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.call)}`);
  return result.error;
}

describe('checkToolCall: crop_video', () => {
  it('accepts seconds and fills in the default frame count', () => {
    const r = ok(checkToolCall({ name: 'crop_video', arguments: { start: 750, end: 790 } }, CASE));
    expect(r.call).toEqual({ name: 'crop_video', start: 750, end: 790, frames: 8 });
    expect(r.notes).toEqual([]);
  });

  it.each([
    ['00:12:30', '00:13:10.500', 750, 790.5],
    ['12:30', '13:10', 750, 790],
    ['0:12:30.250', '790s', 750.25, 790],
    ['750', ' 790.5 ', 750, 790.5],
  ])('reads clock and second strings (%s, %s)', (start, end, s, e) => {
    const r = ok(checkToolCall({ name: 'crop_video', arguments: { start, end } }, CASE));
    expect(r.call).toMatchObject({ start: s, end: e });
  });

  it('clamps an end past the case and says so in words', () => {
    const r = ok(checkToolCall({ name: 'crop_video', arguments: { start: 1100, end: 2000 } }, CASE));
    expect(r.call).toMatchObject({ start: 1100, end: 1200 });
    expect(r.notes).toEqual(['end 2000 s is past the end of the case (1200 s); used 1200 s']);
  });

  it('quotes a clamped clock string with its value in seconds', () => {
    const r = ok(checkToolCall({ name: 'crop_video', arguments: { start: '00:19:00', end: '00:40:00' } }, CASE));
    expect(r.notes).toEqual(['end "00:40:00" (2400 s) is past the end of the case (1200 s); used 1200 s']);
  });

  it('refuses a window that lies wholly past the end, after clamping', () => {
    const e = err(checkToolCall({ name: 'crop_video', arguments: { start: 1300, end: 1400 } }, CASE));
    expect(e).toMatch(/starts past the end of the case \(1200 s\)/);
    expect(e).toMatch(/start < end/);
  });

  it.each([
    [800, 790],
    [790, 790],
    ['13:20', '13:10'],
  ])('refuses start >= end (%s, %s)', (start, end) => {
    const e = err(checkToolCall({ name: 'crop_video', arguments: { start, end } }, CASE));
    expect(e).toMatch(/must be before end/);
  });

  it.each([
    [{ start: Number.NaN, end: 10 }, /start NaN is not a finite time/],
    [{ start: 0, end: Number.POSITIVE_INFINITY }, /end Infinity is not a finite time/],
    [{ end: 10 }, /start is missing/],
    [{ start: 0 }, /end is missing/],
    [{ start: null, end: 10 }, /start is missing/],
    [{ start: -5, end: 10 }, /start -5 s is negative/],
    [{ start: '-0:05', end: 10 }, /start "-0:05" is not a time/],
    [{ start: 'soon', end: 10 }, /start "soon" is not a time/],
    [{ start: '12:75', end: 900 }, /start "12:75" is not a time/],
    [{ start: true, end: 10 }, /start is a boolean, not a time/],
    [{ start: [1], end: 10 }, /start is a list, not a time/],
    [{ start: { t: 1 }, end: 10 }, /start is an object, not a time/],
  ])('explains a bad time %o', (args, message) => {
    const e = err(checkToolCall({ name: 'crop_video', arguments: args }, CASE));
    expect(e).toMatch(message);
    // Every time error tells the model how to write a time.
    if (!/negative/.test(e)) expect(e).toMatch(/HH:MM:SS/);
  });

  it('accepts the argument spellings models use and notes unknown arguments', () => {
    const r = ok(
      checkToolCall({ name: 'crop_video', arguments: { start_time: 10, end_time: 20, num_frames: 4, fps: 2 } }, CASE),
    );
    expect(r.call).toEqual({ name: 'crop_video', start: 10, end: 20, frames: 4 });
    expect(r.notes).toEqual(['ignored unknown argument "fps" of crop_video']);
  });

  it('bounds the frame count and notes the change', () => {
    const many = ok(checkToolCall({ name: 'crop_video', arguments: { start: 0, end: 60, frames: 40 } }, CASE));
    expect(many.call).toMatchObject({ frames: 16 });
    expect(many.notes).toEqual(['frames 40 is more than 16 per crop; used 16']);
    const few = ok(checkToolCall({ name: 'crop_video', arguments: { start: 0, end: 60, frames: 1 } }, CASE));
    expect(few.call).toMatchObject({ frames: 2 });
    expect(few.notes).toEqual(['frames 1 is fewer than 2 per crop; used 2']);
  });

  it('uses configured frame limits', () => {
    const r = ok(
      checkToolCall(
        { name: 'crop_video', arguments: { start: 0, end: 60 } },
        { duration: 1200, cropFrames: { default: 4, max: 6 } },
      ),
    );
    expect(r.call).toMatchObject({ frames: 4 });
    const capped = ok(
      checkToolCall({ name: 'crop_video', arguments: { start: 0, end: 60, frames: 12 } }, { duration: 1200, cropFrames: { max: 6 } }),
    );
    expect(capped.call).toMatchObject({ frames: 6 });
  });
});

describe('checkFrameCount', () => {
  it('rounds a fractional count and reads a numeric string', () => {
    expect(checkFrameCount(7.6)).toEqual({ ok: true, value: 8, notes: ['frames 7.6 is not a whole number; used 8'] });
    expect(checkFrameCount('6')).toEqual({ ok: true, value: 6, notes: [] });
  });

  it.each([['many'], [Number.NaN], [''], [{}]])('refuses %o', (value) => {
    const r = checkFrameCount(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/whole number from 2 to 16/);
  });
});

describe('checkToolCall: get_frame', () => {
  it('accepts a time in seconds or as a clock string', () => {
    expect(ok(checkToolCall({ name: 'get_frame', arguments: { time: 754.5 } }, CASE)).call).toEqual({ name: 'get_frame', time: 754.5 });
    expect(ok(checkToolCall({ name: 'get_frame', arguments: { time: '00:12:34.500' } }, CASE)).call).toEqual({
      name: 'get_frame',
      time: 754.5,
    });
    expect(ok(checkToolCall({ name: 'get_frame', arguments: { t: '12:34' } }, CASE)).call).toEqual({ name: 'get_frame', time: 754 });
  });

  it('clamps a time past the end and keeps the case end', () => {
    const r = ok(checkToolCall({ name: 'get_frame', arguments: { time: 1500 } }, CASE));
    expect(r.call).toEqual({ name: 'get_frame', time: 1200 });
    expect(r.notes).toEqual(['time 1500 s is past the end of the case (1200 s); used 1200 s']);
  });

  it('reports a missing or bad time', () => {
    expect(err(checkToolCall({ name: 'get_frame', arguments: {} }, CASE))).toMatch(/time is missing/);
    expect(err(checkToolCall({ name: 'get_frame', arguments: { time: Number.NaN } }, CASE))).toMatch(/time NaN is not a finite time/);
    expect(err(checkToolCall({ name: 'get_frame', arguments: { time: -1 } }, CASE))).toMatch(/negative/);
  });
});

describe('checkToolCall: the call itself', () => {
  it('names the tools when the name is unknown', () => {
    const e = err(checkToolCall({ name: 'zoom_in', arguments: { start: 1 } }, CASE));
    expect(e).toBe('unknown tool "zoom_in": the tools are crop_video(start, end, frames?), get_frame(time) and find_similar(time, limit?)');
  });

  it('checks find_similar: a time (aliases too), a limit of windows moved into range and noted', () => {
    expect(ok(checkToolCall({ name: 'find_similar', arguments: { t: '00:01:30' } }, CASE)).call).toEqual({ name: 'find_similar', time: 90, limit: 5 });
    const many = ok(checkToolCall({ name: 'find_similar', arguments: { time: 10, top_k: 40 } }, CASE));
    expect(many.call).toEqual({ name: 'find_similar', time: 10, limit: 10 });
    expect(many.notes).toEqual(['limit 40 is more than 10 windows; used 10']);
    expect(err(checkToolCall({ name: 'find_similar', arguments: { limit: 3 } }, CASE))).toMatch(/^time is missing/);
    expect(err(checkToolCall({ name: 'find_similar', arguments: { time: 10, limit: 'a few' } }, CASE))).toMatch(/^limit "a few" is not a number/);
    expect(err(checkToolCall({ name: 'find_similar', arguments: 12 }, CASE))).toContain('{"time": 754.5, "limit": 5}');
  });

  it('tolerates whitespace around a known name', () => {
    expect(ok(checkToolCall({ name: ' get_frame ', arguments: { time: 1 } }, CASE)).call.name).toBe('get_frame');
  });

  it.each([[null], ['750, 790'], [[750, 790]], [42], [undefined]])('refuses arguments that are not an object (%o)', (args) => {
    const e = err(checkToolCall({ name: 'crop_video', arguments: args }, CASE));
    expect(e).toMatch(/^the arguments of crop_video must be a JSON object such as \{"start": 750, "end": 790\}/);
  });

  it('refuses a call without a name', () => {
    expect(err(checkToolCall({ arguments: {} } as never, CASE))).toMatch(/needs a "name"/);
    expect(err(checkToolCall(null as never, CASE))).toMatch(/needs a "name"/);
  });
});

describe('checkTime', () => {
  it('treats a case of unknown length as empty: every positive time clamps to 0', () => {
    const r = checkTime(5, 'time', Number.NaN);
    expect(r).toEqual({ ok: true, value: 0, note: 'time 5 s is past the end of the case (0 s); used 0 s' });
  });

  it('keeps times on the case boundaries unchanged', () => {
    expect(checkTime(0, 'start', 1200)).toEqual({ ok: true, value: 0, note: null });
    expect(checkTime(1200, 'end', 1200)).toEqual({ ok: true, value: 1200, note: null });
  });
});

describe('summarizeTrack', () => {
  const track = [0.1, 0.2, 0.8, 0.9, 0.7, 0.1, -1, 0.6, 0.6, 0.3];

  it('gives mean, max and the time of the max over the seconds with data', () => {
    const s = summarizeTrack(track);
    const known = track.filter((v) => v >= 0);
    expect(s.mean).toBeCloseTo(known.reduce((a, b) => a + b, 0) / known.length, 10);
    expect(s.max).toBe(0.9);
    expect(s.maxAt).toBe(3);
    expect(s.coverage).toBeCloseTo(0.9, 10);
  });

  it('finds the runs at or above the threshold; a second without data ends a run', () => {
    expect(summarizeTrack(track).windows).toEqual([
      { start: 2, end: 5, peak: 0.9 },
      { start: 7, end: 9, peak: 0.6 },
    ]);
    expect(summarizeTrack(track, { threshold: 0.65 }).windows).toEqual([{ start: 2, end: 5, peak: 0.9 }]);
    expect(summarizeTrack(track, { minSeconds: 3 }).windows).toEqual([{ start: 2, end: 5, peak: 0.9 }]);
  });

  it('summarises a sub-range, cutting windows to it', () => {
    const s = summarizeTrack(track, { from: 3.5, to: 8 });
    expect(s.windows).toEqual([
      { start: 3.5, end: 5, peak: 0.9 },
      { start: 7, end: 8, peak: 0.6 },
    ]);
    expect(s.max).toBe(0.9);
    expect(s.maxAt).toBe(3);
  });

  it('reports nothing, not zeros, for a range without data', () => {
    const s = summarizeTrack([-1, -1, Number.NaN]);
    expect(s).toEqual({ mean: null, max: null, maxAt: null, threshold: 0.5, windows: [], coverage: 0 });
    expect(summarizeTrack([0.9, 0.9], { from: 5, to: 9 })).toMatchObject({ mean: null, coverage: 0 });
  });

  it('summarises several tracks with per-track thresholds', () => {
    const out = summarizeTracks(
      { blood: [0, 0.4, 0.4, 0], motion: [0.6, 0.6, 0.2, 0.2] },
      { thresholds: { blood: 0.3 } },
    );
    expect(out.blood?.windows).toEqual([{ start: 1, end: 3, peak: 0.4 }]);
    expect(out.blood?.threshold).toBe(0.3);
    expect(out.motion?.windows).toEqual([{ start: 0, end: 2, peak: 0.6 }]);
    expect(Object.keys(out).sort()).toEqual(['blood', 'motion']);
  });

  it('accepts typed arrays as the worker stores them', () => {
    const s = summarizeTrack(new Float32Array([0.25, 0.75]));
    expect(s.maxAt).toBe(1);
    expect(s.windows).toEqual([{ start: 1, end: 2, peak: 0.75 }]);
  });
});
