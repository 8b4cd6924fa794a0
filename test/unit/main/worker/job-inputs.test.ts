import { describe, expect, it } from 'vitest';
import { JobInputs } from '../../../../main/worker/job-inputs.js';

describe('job input streams', () => {
  it('delivers pieces in order, ends on null, and ignores a piece sent after the end', async () => {
    const inputs = new JobInputs();
    const got: Buffer[] = [];
    const s = inputs.of(1);
    s.on('data', (b: Buffer) => got.push(b));
    const ended = new Promise((r) => s.on('end', r));
    inputs.feed(1, new Uint8Array([1, 2]));
    inputs.feed(1, new Uint8Array([3]));
    inputs.feed(1, null);
    // Without the guard this is a write after end: an 'error' event with no listener, which throws.
    expect(() => inputs.feed(1, new Uint8Array([4]))).not.toThrow();
    await ended;
    expect([...Buffer.concat(got)]).toEqual([1, 2, 3]);
    inputs.close(1);
  });
});
