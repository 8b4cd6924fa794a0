import { describe, expect, it } from 'vitest';
import { clipManifest, MANIFEST_FORMAT, type ClipManifestInput } from '../../../../../main/host/export/clip-manifest.js';

const input = (over: Partial<ClipManifestInput> = {}): ClipManifestInput => ({
  caseId: 'case1',
  evidence: {
    id: 'ev1', runId: 'run1', start: 60, end: 75, corrected: true, frames: [62], claim: 'Bleeding at the port', status: 'adjusted',
    question: 'Where does it bleed?', answer: 'At 00:01:02.', caseId: 'case1',
  },
  verdict: { verdict: 'adjusted', reviewer: 'Dr A' },
  result: {
    exportId: 'x1', output: '/out/teach.mp4', manifest: '/out/teach.json', vtt: '/out/teach.vtt', stills: ['/out/teach-still-1.png'],
    duration: 15.033, mode: 'accurate', evidenceId: 'ev1', requested: { start: 60, end: 75 }, actual: { start: 59.983, end: 75.017 },
    bytes: 1234, deidentified: null,
  },
  actual: { start: 59.98333333, end: 75.01666667 },
  held: [
    { part: { id: 'p1', file_name: 'Doe_Jane_2026-01-01.mp4', fingerprint: 'fp1' }, caseStart: 0, from: 59.98333333, to: 60.0000001 },
    { part: { id: 'p2', file_name: 'Doe_Jane_2026-01-01_2.mp4', fingerprint: 'fp2' }, caseStart: 60.0000001, from: 0, to: 15.01666667 },
  ],
  options: { out: '/out/teach.mp4', captions: 'vtt', streamCopy: false, keepAudio: false, keepMetadata: false, titleCard: { text: 'Case 12', seconds: 2 } },
  titleCardSeconds: 2,
  clip: { width: 1280, height: 720, audio: false },
  stills: [{ file: '/out/teach-still-1.png', caseTime: 62.0333333333 }],
  withholdFileNames: false,
  deidentification: { applied: false },
  createdAt: '2026-12-07T10:00:00.000Z',
  ...over,
});

describe('the clip manifest', () => {
  it('says what was asked, answered and reviewed, and where the clip lies in the case and the recordings', () => {
    const m = clipManifest(input());
    expect(m).toMatchObject({
      format: MANIFEST_FORMAT,
      caseId: 'case1',
      evidenceId: 'ev1',
      runId: 'run1',
      question: 'Where does it bleed?',
      claim: 'Bleeding at the port',
      evidenceWindow: { start: 60, end: 75, corrected: true },
      verdict: { verdict: 'adjusted', reviewer: 'Dr A' },
      caseRange: { requested: { start: 60, end: 75 }, actual: { start: 59.983, end: 75.017 }, actualClock: { start: '00:00:59.983', end: '00:01:15.017' } },
      mode: 'accurate',
      snappedToKeyframes: false,
      options: { captions: 'vtt', titleCard: { text: 'Case 12', seconds: 2 } },
      clip: { file: 'teach.mp4', duration: 15.033, titleCardSeconds: 2, width: 1280, height: 720, audio: false, bytes: 1234 },
      captions: { file: 'teach.vtt', burned: false },
      stills: [{ file: 'teach-still-1.png', caseTime: 62.033333, clock: '00:01:02.033' }],
      deidentification: { applied: false },
    });
    // Part-relative times to the microsecond; files named by their base name only.
    expect(m.source).toEqual([
      { partId: 'p1', fileName: 'Doe_Jane_2026-01-01.mp4', fingerprint: 'fp1', from: 59.983333, to: 60, caseStart: 0 },
      { partId: 'p2', fileName: 'Doe_Jane_2026-01-01_2.mp4', fingerprint: 'fp2', from: 0, to: 15.016667, caseStart: 60 },
    ]);
  });

  it('leaves the recordings\' names out of a de-identified clip, and carries what de-identification did', () => {
    const m = clipManifest(input({ withholdFileNames: true, deidentification: { applied: true, audio: 'dropped' } }));
    expect(m.source.map((s) => s.fileName)).toEqual([null, null]);
    expect(m.source.map((s) => s.fingerprint)).toEqual(['fp1', 'fp2']);
    expect(m.deidentification).toEqual({ applied: true, audio: 'dropped' });
    expect(JSON.stringify(m)).not.toContain('Doe_Jane');
  });

  it('a range export has no evidence, question or verdict', () => {
    const m = clipManifest(input({ evidence: null, verdict: { verdict: 'correct', reviewer: 'Dr B' } }));
    expect(m).toMatchObject({ evidenceId: null, runId: null, question: null, claim: null, answer: null, evidenceWindow: null, verdict: null });
  });
});
