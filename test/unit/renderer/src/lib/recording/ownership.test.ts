import { describe, expect, it } from 'vitest';
import { channelMessage, replyTo } from '../../../../../../renderer/src/lib/recording/ownership.js';

describe('which window feeds the recording', () => {
  it('reads only the messages of its own kind', () => {
    expect(channelMessage({ type: 'who', recordingId: 'r1' })).toEqual({ type: 'who', recordingId: 'r1' });
    expect(channelMessage({ type: 'taken', recordingId: 'r1', extra: 1 })).toEqual({ type: 'taken', recordingId: 'r1' });
    for (const bad of [null, 'who', 42, {}, { type: 'who' }, { type: 'hello', recordingId: 'r1' }, { type: 'me', recordingId: 7 }]) {
      expect(channelMessage(bad)).toBeNull();
    }
  });

  it('the owner answers who feeds its recording', () => {
    expect(replyTo({ type: 'who', recordingId: 'r1' }, { recordingId: 'r1', owner: true })).toBe('say-me');
  });

  it('the owner lets go when another window takes the recording', () => {
    expect(replyTo({ type: 'taken', recordingId: 'r1' }, { recordingId: 'r1', owner: true })).toBe('let-go');
  });

  it('a window that does not feed the recording, or feeds another one, stays quiet', () => {
    expect(replyTo({ type: 'who', recordingId: 'r1' }, { recordingId: 'r1', owner: false })).toBeNull();
    expect(replyTo({ type: 'taken', recordingId: 'r1' }, { recordingId: 'r1', owner: false })).toBeNull();
    expect(replyTo({ type: 'who', recordingId: 'r1' }, { recordingId: 'r2', owner: true })).toBeNull();
    expect(replyTo({ type: 'taken', recordingId: 'r1' }, { recordingId: null, owner: true })).toBeNull();
    // An answer is for the window that asked.
    expect(replyTo({ type: 'me', recordingId: 'r1' }, { recordingId: 'r1', owner: true })).toBeNull();
  });
});
