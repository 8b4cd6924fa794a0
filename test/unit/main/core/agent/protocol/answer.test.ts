import { describe, expect, it } from 'vitest';
import { evidenceFromValue, extractEvidenceFromText, parseAnswer } from '../../../../../../main/core/agent/protocol/index.js';

describe('parseAnswer: JSON answers', () => {
  it('reads text and evidence, converting clock strings to seconds', () => {
    const a = parseAnswer(
      '{"answer": "Bleeding from the cystic artery.", "evidence": [' +
        '{"start": "00:12:30", "end": "00:13:10.500", "frames": ["00:12:31.250", 760], "claim": "pulsatile bleeding"}]}',
    );
    expect(a).toEqual({
      text: 'Bleeding from the cystic artery.',
      evidence: [{ start: 750, end: 790.5, frames: [751.25, 760], claim: 'pulsatile bleeding' }],
    });
  });

  it.each(['text', 'summary', 'final_answer'])('takes the words from "%s"', (key) => {
    expect(parseAnswer(`{"${key}": "Smoke obscures the field.", "evidence": []}`).text).toBe('Smoke obscures the field.');
  });

  it('accepts "window": [s, e], MM:SS times and numeric strings', () => {
    const a = parseAnswer('{"answer": "a", "evidence": [{"window": ["12:30", "790"], "claim": "c"}]}');
    expect(a.evidence).toEqual([{ start: 750, end: 790, frames: [], claim: 'c' }]);
  });

  it('accepts a window written as a string, a bare [s, e] pair, and a single moment', () => {
    const a = parseAnswer('{"answer": "a", "evidence": [{"window": "00:12:30-00:13:10"}, [100, 110], {"t": "00:00:05.5", "claim": "clip"}]}');
    expect(a.evidence).toEqual([
      { start: 750, end: 790, frames: [], claim: '' },
      { start: 100, end: 110, frames: [], claim: '' },
      { start: 5.5, end: 5.5, frames: [5.5], claim: 'clip' },
    ]);
  });

  it('spans the key frames when no window is given', () => {
    expect(parseAnswer('{"answer": "a", "evidence": [{"frames": [10, 12, 15]}]}').evidence).toEqual([
      { start: 10, end: 15, frames: [10, 12, 15], claim: '' },
    ]);
  });

  it('keeps the evidence order as written (best first), not sorted by time', () => {
    const a = parseAnswer('{"answer": "a", "evidence": [{"start": 900, "end": 910}, {"start": 10, "end": 20}, {"start": 500, "end": 505}]}');
    expect(a.evidence.map((e) => e.start)).toEqual([900, 10, 500]);
  });

  it('keeps a time it cannot read as written, for the engine to report', () => {
    const a = parseAnswer('{"answer": "a", "evidence": [{"start": "12:75", "end": "soon"}]}');
    expect(a.evidence).toEqual([{ start: '12:75', end: 'soon', frames: [], claim: '' }]);
  });

  it('drops evidence items with no time at all', () => {
    expect(parseAnswer('{"answer": "a", "evidence": [{"claim": "vague"}, 7, {"start": 1, "end": 2}]}').evidence).toEqual([
      { start: 1, end: 2, frames: [], claim: '' },
    ]);
  });

  it('reads a fenced, sloppy JSON answer with prose around it', () => {
    const a = parseAnswer("Here it is:\n```json\n{'answer': 'Clip placed.', 'evidence': [{'start': 750, 'end': 790,},],}\n```");
    expect(a).toEqual({ text: 'Clip placed.', evidence: [{ start: 750, end: 790, frames: [], claim: '' }] });
  });

  it('takes the words around the JSON when the object has evidence only', () => {
    const a = parseAnswer('Smoke from the hook.\n```json\n{"evidence": [{"start": 5, "end": 9}]}\n```');
    expect(a.text).toBe('Smoke from the hook.');
    expect(a.evidence).toEqual([{ start: 5, end: 9, frames: [], claim: '' }]);
  });

  it('takes evidence from the answer words when the object has none', () => {
    expect(parseAnswer('{"answer": "Bleeding from 00:12:30 to 00:13:10."}').evidence).toEqual([
      { start: 750, end: 790, frames: [], claim: 'Bleeding from 00:12:30 to 00:13:10.' },
    ]);
  });

  it('keeps an explicit empty evidence list empty (the model declined)', () => {
    expect(parseAnswer('{"answer": "The video does not show the clip at 00:12:30.", "evidence": []}').evidence).toEqual([]);
  });

  it('reads a broken JSON answer as prose rather than picking an inner object', () => {
    const raw = '{"answer": "Bleeding at 00:12:31", "evidence": [{"start": 750, "end": 790, "text": "inner"}]';
    const a = parseAnswer(raw);
    expect(a.text).toBe(raw);
    expect(a.evidence[0]).toMatchObject({ start: 751, end: 751, frames: [751] });
  });
});

describe('parseAnswer: free text', () => {
  it('keeps the text and finds "from HH:MM:SS to HH:MM:SS"', () => {
    expect(parseAnswer('  Active bleeding from 00:12:30 to 00:13:10, controlled with a clip.  ')).toEqual({
      text: 'Active bleeding from 00:12:30 to 00:13:10, controlled with a clip.',
      evidence: [{ start: 750, end: 790, frames: [], claim: 'Active bleeding from 00:12:30 to 00:13:10, controlled with a clip.' }],
    });
  });

  it.each<[string, number, number]>([
    ['Bleeding in [750.0, 790.0].', 750, 790],
    ['Bleeding in [00:12:30, 00:13:10].', 750, 790],
    ['Bleeding 12:30–13:10.', 750, 790],
    ['Bleeding 12:30 - 13:10.', 750, 790],
    ['Bleeding 12:30—13:10.', 750, 790],
    ['Bleeding between 12:30 and 13:10.', 750, 790],
    ['Bleeding 750 s to 790 s.', 750, 790],
    ['Bleeding 750–790 s.', 750, 790],
    ['Bleeding from 750.5 to 790 seconds.', 750.5, 790],
    ['Bleeding at 1:02:03 to 1:02:09.5.', 3723, 3729.5],
  ])('finds the window in %j', (text, start, end) => {
    expect(extractEvidenceFromText(text)).toEqual([{ start, end, frames: [], claim: text }]);
  });

  it('takes "at 00:04:05.5" as a single key frame', () => {
    expect(extractEvidenceFromText('The clip closes at 00:04:05.5.')).toEqual([
      { start: 245.5, end: 245.5, frames: [245.5], claim: 'The clip closes at 00:04:05.5.' },
    ]);
  });

  it('takes "at 751.25 s" as a key frame, and "at 750 s to 790 s" as a window', () => {
    expect(extractEvidenceFromText('Seen at 751.25 s.')).toEqual([{ start: 751.25, end: 751.25, frames: [751.25], claim: 'Seen at 751.25 s.' }]);
    expect(extractEvidenceFromText('Seen at 750 s to 790 s.')).toEqual([{ start: 750, end: 790, frames: [], claim: 'Seen at 750 s to 790 s.' }]);
  });

  it('reads "at 12:30 and 13:10" as two moments, not a window', () => {
    expect(extractEvidenceFromText('Clips at 12:30 and 13:10.').map((e) => [e.start, e.end])).toEqual([
      [750, 750],
      [790, 790],
    ]);
  });

  it('keeps the order written, one claim per sentence, and drops repeats', () => {
    const text = 'Smoke peaks at 00:20:00. Earlier, bleeding from 00:12:30 to 00:13:10! Again 12:30–13:10.\n- Clip at 00:13:05.5';
    const ev = extractEvidenceFromText(text);
    expect(ev.map((e) => e.start)).toEqual([1200, 750, 785.5]);
    expect(ev.map((e) => e.claim)).toEqual(['Smoke peaks at 00:20:00.', 'Earlier, bleeding from 00:12:30 to 00:13:10!', 'Clip at 00:13:05.5']);
  });

  it('does not take counts, ratios, dates or invalid clocks for times', () => {
    expect(extractEvidenceFromText('2-3 clips, a 1:2 ratio, step 3 of 5, on 2024-05-01, 5 and 6 s, at 12:75.')).toEqual([]);
  });

  it('returns no evidence for text without times', () => {
    expect(parseAnswer('I could not find bleeding in this case.')).toEqual({ text: 'I could not find bleeding in this case.', evidence: [] });
  });

  it('bounds the number of windows taken from a pathological text', () => {
    const text = Array.from({ length: 500 }, (_, i) => `at ${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`).join(' ');
    const ev = extractEvidenceFromText(text);
    expect(ev.length).toBe(50);
    expect(ev.every((e) => e.claim.length <= 240)).toBe(true);
  });
});

describe('evidenceFromValue', () => {
  it('reads the synonyms models use', () => {
    expect(evidenceFromValue({ start_time: '00:01:00', end_time: 70, key_frames: ['00:01:05'], description: 'plume' })).toEqual({
      start: 60,
      end: 70,
      frames: [65],
      claim: 'plume',
    });
    expect(evidenceFromValue({ from: 1, to: 2, reason: 'r' })).toEqual({ start: 1, end: 2, frames: [], claim: 'r' });
  });

  it('returns null for what carries no time', () => {
    expect(evidenceFromValue('at some point')).toBeNull();
    expect(evidenceFromValue({ claim: 'x' })).toBeNull();
    expect(evidenceFromValue([])).toBeNull();
  });
});

describe('answers in the grounding benchmarks\' style', () => {
  it('reads every span of "22.0-78.0, 89.0-94.0 seconds." as a window, in the order written', () => {
    expect(parseAnswer('The cutting: 22.0-78.0, 89.0-94.0 seconds. Then 01:40 to 01:50.').evidence.map((e) => [e.start, e.end])).toEqual([
      [22, 78],
      [89, 94],
      [100, 110],
    ]);
  });

  it('reads "1.0 seconds: [x1, y1, x2, y2] ..." as one window over those moments, with its boxes', () => {
    expect(extractEvidenceFromText('1.0 seconds: [235.08, 261.2, 561.58, 1005.62] 5.0 seconds: [240, 262, 560, 1000]')).toEqual([
      {
        start: 1,
        end: 5,
        frames: [1, 5],
        claim: '1.0 seconds: [235.08, 261.2, 561.58, 1005.62] 5.0 seconds: [240, 262, 560, 1000]',
        boxes: [
          { time: 1, box: [235.08, 261.2, 561.58, 1005.62] },
          { time: 5, box: [240, 262, 560, 1000] },
        ],
      },
    ]);
  });

  it('reads boxes in JSON evidence: a list, a bbox_dict, or one box at a moment', () => {
    expect(evidenceFromValue({ start: 0, end: 4, boxes: [{ time: 0, box: [1, 2, 3, 4] }, [4, [5, 6, 7, 8]]] })).toEqual({
      start: 0, end: 4, frames: [], claim: '', boxes: [{ time: 0, box: [1, 2, 3, 4] }, { time: 4, box: [5, 6, 7, 8] }],
    });
    // A window given only by its boxes spans them.
    expect(evidenceFromValue({ bbox_dict: { '2.0': [1, 2, 3, 4], '6.0': [1, 2, 3, 5] } })).toEqual({
      start: 2, end: 6, frames: [], claim: '', boxes: [{ time: 2, box: [1, 2, 3, 4] }, { time: 6, box: [1, 2, 3, 5] }],
    });
    expect(evidenceFromValue({ t: 3, bbox: [1, 2, 3, 4], claim: 'the hook' })).toEqual({
      start: 3, end: 3, frames: [3], claim: 'the hook', boxes: [{ time: 3, box: [1, 2, 3, 4] }],
    });
  });
});
