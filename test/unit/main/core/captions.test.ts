import { describe, expect, it } from 'vitest';
import { caseClock, clipCues, toWebVtt, vttTime, wrapCaption } from '../../../../main/core/captions.js';
import { filterValue, graphArgs } from '../../../../main/worker/media/clip-export.js';
import { explainWriteFailure } from '../../../../main/host/export/commit-files.js';
import { sidecarNames } from '../../../../main/host/export/export-service.js';

describe('clip captions', () => {
  it('formats case clocks and VTT times', () => {
    expect(caseClock(0)).toBe('00:00:00');
    expect(caseClock(3723.9)).toBe('01:02:03');
    expect(vttTime(62.3456)).toBe('00:01:02.346');
    expect(vttTime(-1)).toBe('00:00:00.000');
  });

  it('wraps at spaces and cuts words longer than a line', () => {
    expect(wrapCaption('the quick brown fox jumps over', 10)).toBe('the quick\nbrown fox\njumps over');
    expect(wrapCaption('aaaaaaaaaaaaaaaaaaaa b', 8)).toBe('aaaaaaaa\naaaaaaaa\naaaa b');
    expect(wrapCaption('line\r\n\r\nnext\ttab', 40)).toBe('line\nnext tab');
  });

  it('makes the question and claim cue and one clock cue per case second', () => {
    const { text, clock } = clipCues({ lead: 2, duration: 2.5, caseStart: 10.25, question: 'Why?', claim: 'Because.' });
    expect(text).toEqual([{ start: 2, end: 4.5, text: 'Q: Why?\nEvidence: Because.', placement: 'bottom' }]);
    expect(clock.map((c) => [c.start, c.end, c.text])).toEqual([
      [2, 2.75, 'Case time 00:00:10'],
      [2.75, 3.75, 'Case time 00:00:11'],
      [3.75, 4.5, 'Case time 00:00:12'],
    ]);
    expect(clipCues({ lead: 0, duration: 1, caseStart: 0 }).text).toEqual([]);
  });

  it('writes WebVTT that a player accepts: escaped text, top cues on line 0', () => {
    const vtt = toWebVtt([
      { start: 1, end: 2, text: 'a < b && c --> d', placement: 'bottom' },
      { start: 0, end: 1, text: 'Case time 00:00:01', placement: 'top' },
    ]);
    expect(vtt).toBe(
      'WEBVTT - Opscope teaching clip\n\n' +
        '1\n00:00:00.000 --> 00:00:01.000 line:0 align:center\nCase time 00:00:01\n\n' +
        '2\n00:00:01.000 --> 00:00:02.000\na &lt; b &amp;&amp; c --&gt; d\n',
    );
  });
});

describe('clip export helpers', () => {
  it('escapes filter option values, then the filter arguments for the graph', () => {
    expect(filterValue("C:\\fonts\\it's.ttf")).toBe("C\\:\\\\fonts\\\\it\\'s.ttf");
    expect(graphArgs('between(t,1,2)')).toBe('between(t\\,1\\,2)');
    expect(graphArgs("a[b];c\\'")).toBe("a\\[b\\]\\;c\\\\\\'");
  });

  it('names sidecars after the clip', () => {
    expect(sidecarNames('/x/teach.mp4', 2)).toEqual({
      vtt: '/x/teach.vtt',
      manifest: '/x/teach.json',
      stills: ['/x/teach-still-1.png', '/x/teach-still-2.png'],
    });
  });

  it('says a full disk is a full disk', () => {
    const e = explainWriteFailure(Object.assign(new Error('nope'), { code: 'ENOSPC' }), '/media/usb/clip.json');
    expect(e).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/disk is full.*\/media\/usb/) });
  });
});
