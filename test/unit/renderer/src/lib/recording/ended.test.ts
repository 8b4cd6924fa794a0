import { describe, expect, it } from 'vitest';
import type { RecordingEnded } from '../../../../../../main/core/contract/recording-schemas.js';
import { endedNotice } from '../../../../../../renderer/src/lib/recording/ended.js';

const ended = (o: Partial<RecordingEnded> = {}): RecordingEnded => ({ recordingId: 'r1', caseId: 'c1', segments: 3, duration: 72.4, reason: 'stopped', ...o });

describe('what people are told when a recording ends', () => {
  it('a stop is a success, naming what was kept and where', () => {
    expect(endedNotice(ended(), 'Lap chole')).toEqual({ kind: 'success', title: 'Recording stopped: 3 segments, 1:12 into “Lap chole”', message: '' });
    expect(endedNotice(ended({ segments: 1 }), null).title).toBe('Recording stopped: 1 segment, 1:12');
  });

  it('a full disk and a failure are errors that say what was kept, with the backend’s message', () => {
    expect(endedNotice(ended({ reason: 'disk-full', message: '120 MB free' }), 'X')).toEqual({
      kind: 'error', title: 'Recording stopped: the disk is full (3 segments, 1:12 kept)', message: '120 MB free',
    });
    expect(endedNotice(ended({ reason: 'failed', message: 'ffmpeg exited' }), 'X')).toEqual({
      kind: 'error', title: 'Recording failed (3 segments, 1:12 kept)', message: 'ffmpeg exited',
    });
  });

  it('a source that ended by itself is information', () => {
    expect(endedNotice(ended({ reason: 'source-ended' }), 'X')).toEqual({ kind: 'info', title: 'Recording ended: the source ended (3 segments, 1:12)', message: '' });
  });
});
