import { describe, expect, it } from 'vitest';
import { parseMedVidBench, predictionText, questionOf } from '../../../../../main/core/eval/medvidbench.js';

const tal = (over: Record<string, unknown> = {}) => ({
  id: 'tal-1',
  qa_type: 'tal',
  dataset_name: 'AVOS',
  video: ['v/0.jpg', 'v/1.jpg'],
  conversations: [
    { from: 'human', value: '<video>\nWhen does the cutting happen? Answer as start-end seconds.' },
    { from: 'gpt', value: '22.0-78.0, 89.0-94.0 seconds.' },
  ],
  struc_info: [{ action: 'cutting', spans: [{ start: 22, end: 78 }, { start: 89, end: 94 }] }],
  metadata: { fps: '1.0', video_id: 'abcDEF12345', input_video_start_frame: '0', input_video_end_frame: '100' },
  ...over,
});

const stg = (over: Record<string, unknown> = {}) => ({
  id: 'stg-1',
  qa_type: 'stg',
  dataset_name: 'CholecTrack20',
  video: ['/data/VID1/000000.png', '/data/VID1/000004.png'],
  conversations: [{ from: 'human', value: '<video>\nTrack the hook every 4 seconds.' }],
  struc_info: [{ start: 0, end: 4, stride: 4, object: 'hook', bbox_dict: { '4.0': [12, 22, 32, 42], '0.0': [10, 20, 30, 40] } }],
  metadata: { fps: 0.25, video_id: 'VID1', input_video_start_time: 12.5, input_video_end_time: 28.5 },
  ...over,
});

describe('reading a MedVidBench file', () => {
  it('reads tal and stg records, numbers written as text included, and counts the other kinds', () => {
    const file = [tal(), { qa_type: 'next_action', video: [] }, stg(), { qa_type: 'dense_captioning_gpt' }, { qa_type: 'next_action' }];
    const { records, skipped, bad } = parseMedVidBench(JSON.stringify(file));
    expect(bad).toEqual([]);
    expect(skipped).toEqual({ next_action: 2, dense_captioning_gpt: 1 });
    expect(records).toEqual([
      {
        index: 0,
        id: 'tal-1',
        qaType: 'tal',
        dataset: 'AVOS',
        question: 'When does the cutting happen? Answer as start-end seconds.',
        reference: '22.0-78.0, 89.0-94.0 seconds.',
        frames: ['v/0.jpg', 'v/1.jpg'],
        fps: 1,
        videoId: 'abcDEF12345',
        range: 'frames 0-100',
        truth: { kind: 'tal', spans: [[22, 78], [89, 94]] },
      },
      {
        index: 2,
        id: 'stg-1',
        qaType: 'stg',
        dataset: 'CholecTrack20',
        question: 'Track the hook every 4 seconds.',
        reference: null,
        frames: ['/data/VID1/000000.png', '/data/VID1/000004.png'],
        fps: 0.25,
        videoId: 'VID1',
        range: '12.5-28.5 s',
        // In time order, whatever the order of the file's keys.
        truth: { kind: 'stg', object: 'hook', boxes: [
          { key: '0.0', time: 0, box: [10, 20, 30, 40] },
          { key: '4.0', time: 4, box: [12, 22, 32, 42] },
        ] },
      },
    ]);
  });

  it('names the dataset by data_source when dataset_name is missing, and makes the id the benchmark way when there is none', () => {
    const { records } = parseMedVidBench(JSON.stringify([
      tal({ id: undefined, dataset_name: undefined, data_source: 'NurViD' }),
      tal({ id: 7, dataset_name: undefined, metadata: { fps: 2, video_id: 42, start_frame: 3, end_frame: 9 } }),
      tal({ dataset_name: undefined }),
    ]));
    expect(records.map((r) => [r.id, r.dataset, r.range])).toEqual([
      ['abcDEF12345&&0&&100&&1', 'NurViD', 'frames 0-100'],
      ['7', 'Unknown', 'frames 3-9'],
      ['tal-1', 'Unknown', 'frames 0-100'],
    ]);
  });

  it('reads a struc_info given as one object (older files)', () => {
    const { records } = parseMedVidBench(JSON.stringify([tal({ struc_info: { spans: [{ start: 1, end: 2 }] } })]));
    expect(records[0]!.truth).toEqual({ kind: 'tal', spans: [[1, 2]] });
  });

  it('reports a bad record with its position and what is wrong, and keeps the others', () => {
    const file = [
      tal({ struc_info: [{ spans: [{ start: 5, end: 5 }] }] }),
      tal({ video: [] }),
      tal({ metadata: { fps: 0, video_id: 'x' } }),
      tal({ metadata: { fps: 1 } }),
      tal({ conversations: [{ from: 'gpt', value: '1-2 seconds.' }] }),
      stg({ struc_info: [{ bbox_dict: { '0.0': [1, 2, 3] } }] }),
      stg({ struc_info: [{ bbox_dict: { '0.0': [5, 5, 5, 9] } }] }),
      { id: 'no-type' },
      tal(),
    ];
    const { records, bad } = parseMedVidBench(JSON.stringify(file));
    expect(records.map((r) => r.index)).toEqual([8]);
    expect(bad).toEqual([
      { index: 0, id: 'tal-1', message: expect.stringMatching(/struc_info\[0\]\.spans\[0\]: 5-5 has zero length/) },
      { index: 1, id: 'tal-1', message: 'video: needs at least one frame' },
      { index: 2, id: 'tal-1', message: 'metadata.fps: must be more than 0' },
      { index: 3, id: 'tal-1', message: 'metadata.video_id is missing' },
      { index: 4, id: 'tal-1', message: 'conversations has no human turn with a question' },
      { index: 5, id: 'stg-1', message: 'struc_info[0].bbox_dict["0.0"]: a box is [x1, y1, x2, y2]' },
      { index: 6, id: 'stg-1', message: 'struc_info bbox_dict has no box with x1 < x2 and y1 < y2' },
      { index: 7, id: 'no-type', message: 'qa_type is missing' },
    ]);
  });

  it('refuses a file that is not a JSON array, saying so', () => {
    expect(() => parseMedVidBench('{"id": 1}')).toThrow(/must be a JSON array of records/);
    expect(() => parseMedVidBench('[{')).toThrow(/not valid JSON/);
  });

  it('asks the human turn without its <video> tag', () => {
    expect(questionOf([{ from: 'human', value: '<video>\n<video> Where is the grasper?' }])).toBe('Where is the grasper?');
    expect(questionOf([{ from: 'human', value: '<video>\n' }])).toBeNull();
  });
});

describe('predictions in the answer style', () => {
  it('writes spans as the reference answers do', () => {
    expect(predictionText({ kind: 'tal', spans: [[22, 78], [89, 94.5]] })).toBe('22.0-78.0, 89.0-94.5 seconds.');
    expect(predictionText({ kind: 'tal', spans: [] })).toBe('');
  });

  it('writes boxes as time: box pairs in time order', () => {
    expect(predictionText({ kind: 'stg', boxes: [{ time: 5, box: [1, 2, 3, 4] }, { time: 1, box: [235.08, 261.2, 561.58, 1005.624] }] })).toBe(
      '1.0 seconds: [235.08, 261.2, 561.58, 1005.62] 5.0 seconds: [1, 2, 3, 4]',
    );
  });
});
