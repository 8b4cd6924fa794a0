import { describe, expect, it } from 'vitest';
import { RecordingStartInput } from '../../../../../../main/core/contract/recording-schemas.js';
import { defaultRecordingName } from '../../../../../../renderer/src/lib/recording/capture.js';
import { startRequest, type StartForm } from '../../../../../../renderer/src/lib/recording/start-request.js';

const NOW = new Date(2026, 2, 4, 14, 5).getTime();
const form = (o: Partial<StartForm> = {}): StartForm => ({
  label: 'HD Capture', mimeType: 'video/webm;codecs=h264', frameRate: 30, segmentSeconds: 10, name: 'Lap chole', now: NOW, ...o,
});

describe('the call that starts a recording from the dialog', () => {
  it('records the device into a new case with the name typed', () => {
    const r = startRequest({ kind: 'start' }, form());
    expect(r).toEqual({ source: { capture: { label: 'HD Capture', mimeType: 'video/webm;codecs=h264', frameRate: 30 } }, segmentSeconds: 10, name: 'Lap chole' });
    expect(RecordingStartInput.safeParse(r).success).toBe(true);
  });

  it('names the case by the time when no name is typed', () => {
    expect(startRequest({ kind: 'start' }, form({ name: '   ' })).name).toBe(defaultRecordingName(NOW));
    expect(startRequest({ kind: 'start' }, form({ name: '  Case 7 ' })).name).toBe('Case 7');
  });

  it('continues into the interrupted case, without a name', () => {
    const r = startRequest({ kind: 'continue', caseId: 'case123' }, form());
    expect(r.caseId).toBe('case123');
    expect(r).not.toHaveProperty('name');
    expect(RecordingStartInput.safeParse(r).success).toBe(true);
  });

  it('leaves out a frame rate the backend would refuse', () => {
    for (const frameRate of [undefined, 0, 0.5, 241]) {
      const r = startRequest({ kind: 'start' }, form({ frameRate }));
      expect(r.source).toEqual({ capture: { label: 'HD Capture', mimeType: 'video/webm;codecs=h264' } });
      expect(RecordingStartInput.safeParse(r).success).toBe(true);
    }
    expect(startRequest({ kind: 'start' }, form({ frameRate: 59.94 })).source).toEqual({ capture: { label: 'HD Capture', mimeType: 'video/webm;codecs=h264', frameRate: 59.94 } });
  });
});
