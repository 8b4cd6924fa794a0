import { describe, expect, it } from 'vitest';
import {
  isScopeError, questionScope, scopeAdverbial, withoutScope, type BookmarkMark, type QuestionScope,
} from '../../../../../main/core/agent/question-scope.js';

/* A 17-minute case with three bookmarks: 12:03 "trocar", 15:40, 16:20 "clip applied". */
const BOOKMARKS: BookmarkMark[] = [
  { number: 1, time: 723, label: 'trocar' },
  { number: 2, time: 940, label: null },
  { number: 3, time: 980, label: 'clip applied' },
];
const CASE = { duration: 1020, bookmarks: BOOKMARKS };

function scope(question: string, c = CASE): QuestionScope {
  const s = questionScope(question, c);
  if (s === null || isScopeError(s)) throw new Error(`no scope in "${question}": ${JSON.stringify(s)}`);
  return s;
}

function window(question: string, c = CASE): [number, number] {
  const s = scope(question, c);
  return [s.start, s.end];
}

function error(question: string, c = CASE): string {
  const s = questionScope(question, c);
  if (!isScopeError(s)) throw new Error(`no error for "${question}": ${JSON.stringify(s)}`);
  return s.error;
}

describe('questionScope: the last / first N units', () => {
  it.each([
    ['Was there bleeding in the last 5 minutes?', 720, 1020],
    ['any smoke over the past ten minutes', 420, 1020],
    ['was the camera out during the last 90 seconds', 930, 1020],
    ['In the last 30 s?', 990, 1020],
    ['last 5 min', 720, 1020],
    ['bleeding within the previous 2 mins?', 900, 1020],
    ['what happened in the last minute', 960, 1020],
    ['what happened in the last twenty-five minutes of the procedure', 0, 1020],
    ['pauses in the final 3 minutes of the case', 840, 1020],
    ['was there bleeding in the last couple of minutes', 900, 1020],
    ['smoke in the most recent 4 minutes', 780, 1020],
    ['bleeding in the first 10 minutes', 0, 600],
    ['was there smoke in the first minute?', 0, 60],
    ['any pause in the first two minutes', 0, 120],
  ])('%s → [%d, %d]', (q, start, end) => {
    expect(window(q)).toEqual([start, end]);
  });

  it('knows half an hour and hours, and clamps to the case', () => {
    const long = { duration: 7200, bookmarks: [] };
    expect(window('bleeding in the last half hour?', long)).toEqual([5400, 7200]);
    expect(window('in the last half-hour', long)).toEqual([5400, 7200]);
    expect(window('in the past half an hour', long)).toEqual([5400, 7200]);
    expect(window('over the past hour', long)).toEqual([3600, 7200]);
    expect(window('in the last 1.5 hours', long)).toEqual([1800, 7200]);
    expect(window('in the first 2 h', long)).toEqual([0, 7200]);
    // Longer than the case: all of it, said with its real times.
    expect(scope('bleeding in the last half hour?')).toMatchObject({ start: 0, end: 1020, said: 'the last half hour (0:00–17:00)' });
  });

  it('says the scope in a short phrase with its times', () => {
    expect(scope('Was there bleeding in the last 5 minutes?')).toEqual({
      start: 720, end: 1020, said: 'the last 5 minutes (12:00–17:00)', phrase: 'in the last 5 minutes',
    });
    expect(scope('In the last 30 s').said).toBe('the last 30 seconds (16:30–17:00)');
    expect(scope('the last minute').said).toBe('the last minute (16:00–17:00)');
    expect(scope('in the first 10 minutes').said).toBe('the first 10 minutes (0:00–10:00)');
    expect(scopeAdverbial(scope('in the last 5 minutes'))).toBe('in the last 5 minutes (12:00–17:00)');
  });
});

describe('questionScope: bookmarks', () => {
  it.each([
    ['what happened after the second bookmark?', 940, 1020],
    ['was there bleeding after the 2nd bookmark', 940, 1020],
    ['after bookmark 2', 940, 1020],
    ['after bookmark #2', 940, 1020],
    ['after bookmark number two', 940, 1020],
    ['since bookmark 1', 723, 1020],
    ['since the last bookmark', 980, 1020],
    ['since the latest bookmark', 980, 1020],
    ['since the second-to-last bookmark', 940, 1020],
    ['before the first bookmark', 0, 723],
    ['up to bookmark 2', 0, 940],
    ['from bookmark 2 on', 940, 1020],
    ['between bookmark 1 and 2', 723, 940],
    ['between bookmarks 1 and 3', 723, 980],
    ['between bookmark 1 and bookmark 3', 723, 980],
    ['between the first and second bookmark', 723, 940],
    ['between the first and the third bookmarks', 723, 980],
    ['between the third and the first bookmark', 723, 980],
    ['from bookmark 2 to now', 940, 1020],
    ['from the start to bookmark 1', 0, 723],
    ['in the 2 minutes before bookmark 3', 860, 980],
    ['in the first minute after the second bookmark', 940, 1000],
    ['the 5 minutes following bookmark 1', 723, 1020],
  ])('%s → [%d, %d]', (q, start, end) => {
    expect(window(q)).toEqual([start, end]);
  });

  it('finds a bookmark by its label, quoted or not, in any case', () => {
    expect(window("after the 'trocar' bookmark")).toEqual([723, 1020]);
    expect(window('after the "trocar" bookmark')).toEqual([723, 1020]);
    expect(window('since bookmark trocar?')).toEqual([723, 1020]);
    expect(window("how long has the camera been out since bookmark 'trocar'?")).toEqual([723, 1020]);
    expect(window('since bookmark “Trocar”')).toEqual([723, 1020]);
    expect(window('after the Trocar bookmark')).toEqual([723, 1020]);
    expect(window('after the clip applied bookmark')).toEqual([980, 1020]);
    expect(window('since bookmark called clip applied, any smoke?')).toEqual([980, 1020]);
    expect(window("between the 'trocar' bookmark and the last bookmark")).toEqual([723, 980]);
    expect(scope("after the 'trocar' bookmark").said).toBe('after bookmark "trocar" (12:03–17:00)');
  });

  it('says bookmark scopes in words', () => {
    expect(scope('what happened after the second bookmark?')).toEqual({
      start: 940, end: 1020, said: 'after the second bookmark (15:40–17:00)', phrase: 'after the second bookmark',
    });
    expect(scope('since bookmark 1').said).toBe('since the first bookmark (12:03–17:00)');
    expect(scope('before the first bookmark').said).toBe('before the first bookmark (0:00–12:03)');
    expect(scope('between bookmarks 1 and 2').said).toBe('between the first and second bookmarks (12:03–15:40)');
    expect(scope('in the 2 minutes before bookmark 3').said).toBe('the 2 minutes before the third bookmark (14:20–16:20)');
    expect(scopeAdverbial(scope('after bookmark 2'))).toBe('after the second bookmark (15:40–17:00)');
  });

  it('takes "the bookmark" for the only one', () => {
    const one = { duration: 600, bookmarks: [{ number: 1, time: 200, label: null }] };
    expect(window('what happened after the bookmark?', one)).toEqual([200, 600]);
    expect(error('what happened after the bookmark?')).toMatch(/^Which bookmark\? This case has 3/);
  });

  it('reads clock times as well', () => {
    expect(window('between 12:00 and 15:00')).toEqual([720, 900]);
    expect(window('anything after 10:30?')).toEqual([630, 1020]);
    expect(window('before 0:05:00')).toEqual([0, 300]);
  });
});

describe('questionScope: errors in words', () => {
  it('names the missing bookmark and lists the ones there are', () => {
    const two = { duration: 1020, bookmarks: BOOKMARKS.slice(0, 2) };
    expect(error('what happened after the third bookmark?', two)).toBe('There is no third bookmark; this case has 2 (at 12:03 "trocar", 15:40).');
    expect(error('after bookmark 5')).toBe('There is no fifth bookmark; this case has 3 (at 12:03 "trocar", 15:40, 16:20 "clip applied").');
    expect(error('between bookmarks 2 and 7')).toMatch(/^There is no seventh bookmark; this case has 3/);
    expect(error('since bookmark "foo"')).toBe('There is no bookmark "foo"; this case has 3 (at 12:03 "trocar", 15:40, 16:20 "clip applied").');
    expect(error('after the foo bookmark')).toMatch(/^There is no bookmark "foo"/);
    expect(error('in the 2 minutes before bookmark 9')).toMatch(/^There is no ninth bookmark/);
  });

  it('says so when the case has no bookmarks at all', () => {
    const none = { duration: 600, bookmarks: [] };
    expect(error('after the second bookmark', none)).toBe('There is no second bookmark; this case has no bookmarks.');
    expect(error('since the last bookmark', none)).toBe('There is no last bookmark; this case has no bookmarks.');
    expect(error('after the bookmark', none)).toMatch(/no bookmarks/);
  });

  it('says when the window holds no video yet (a bookmark past what is recorded and read)', () => {
    const short = { duration: 900, bookmarks: BOOKMARKS };
    expect(error('after the third bookmark', short)).toBe('There is no video after the third bookmark: the case so far runs from 0:00 to 15:00.');
    expect(error('in the last 5 minutes', { duration: 0, bookmarks: [] })).toMatch(/^There is no video in the last 5 minutes yet/);
  });

  it('keeps the words that named it, so they can be left out of the question', () => {
    const s = questionScope('was there bleeding after bookmark 7?', CASE);
    expect(s).toMatchObject({ phrase: 'after bookmark 7' });
    expect(withoutScope('was there bleeding after bookmark 7?', s)).toBe('was there bleeding?');
  });
});

describe('questionScope: clamping', () => {
  it('keeps every scope inside [0, duration]', () => {
    const live = { duration: 950, bookmarks: BOOKMARKS };
    // Bookmark 3 was set at the live edge, past what is indexed so far.
    expect(window('between bookmarks 2 and 3', live)).toEqual([940, 950]);
    expect(window('before bookmark 3', live)).toEqual([0, 950]);
    expect(window('in the first 30 minutes', live)).toEqual([0, 950]);
    expect(window('in the 5 minutes before the first bookmark', { duration: 950, bookmarks: [{ number: 1, time: 100, label: null }] })).toEqual([0, 100]);
  });
});

describe('questionScope: no scope', () => {
  it.each([
    'when did the first bleeding start',
    'When does the bleeding start?',
    'how long did the last bleeding last',
    'when does the last out-of-body period end?',
    'Was there bleeding before the first clip?',
    'Was there bleeding after the second bleeding?',
    'what is the pause before clipping',
    'is there smoke during the dissection',
    'how long was the first pause',
    'Show me the plume from the cautery',
    'after the next bookmark',
    'between 1 and 2',
    'between the first and 2',
    'during the first second',
    'how many bleeding episodes are there in total?',
    'Is the critical view of safety achieved?',
  ])('%s', (q) => {
    expect(questionScope(q, CASE)).toBeNull();
  });

  it('leaves a question without a scope as it is', () => {
    expect(withoutScope('when does it start?', null)).toBe('when does it start?');
  });
});

describe('withoutScope', () => {
  it.each([
    ['Was there bleeding in the last 5 minutes?', 'Was there bleeding?'],
    ['was there bleeding after the second bookmark?', 'was there bleeding?'],
    ['In the last 10 minutes, when did the smoke start?', 'when did the smoke start?'],
    ['how long has the camera been out since bookmark \'trocar\'?', 'how long has the camera been out?'],
  ])('%s → %s', (q, rest) => {
    expect(withoutScope(q, questionScope(q, CASE))).toBe(rest);
  });
});
