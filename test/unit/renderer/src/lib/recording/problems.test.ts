import { describe, expect, it } from 'vitest';
import { capabilityProblem, noDevice, openProblem } from '../../../../../../renderer/src/lib/recording/problems.js';

const can = { cameras: true, recorder: true, mimeType: 'video/webm;codecs=h264', desktop: false };

describe('what keeps the window from capturing', () => {
  it('is nothing when cameras and a recorder type are there', () => {
    expect(capabilityProblem(can)).toBeNull();
  });

  it('says where cameras are offered: a secure page in a browser, the system in the desktop app', () => {
    const web = capabilityProblem({ ...can, cameras: false });
    expect(web?.kind).toBe('unsupported');
    expect(web?.message).toContain('http://127.0.0.1');
    const desktop = capabilityProblem({ ...can, cameras: false, desktop: true });
    expect(desktop?.kind).toBe('unsupported');
    expect(desktop?.message).toContain('desktop app could not reach the media devices');
  });

  it('tells a missing MediaRecorder from one that writes none of our types', () => {
    expect(capabilityProblem({ ...can, recorder: false, mimeType: null })?.message).toMatch(/^MediaRecorder is missing/);
    expect(capabilityProblem({ ...can, mimeType: null })?.message).toMatch(/cannot write WebM or Matroska/);
    expect(capabilityProblem({ ...can, mimeType: null })?.kind).toBe('no-recorder');
  });

  it('checks cameras before the recorder', () => {
    expect(capabilityProblem({ ...can, cameras: false, mimeType: null })?.kind).toBe('unsupported');
  });

  it('says where a refused permission is given again', () => {
    expect(openProblem('denied', false, 'x').message).toContain('address bar');
    expect(openProblem('denied', true, 'x').message).toContain('operating system');
  });

  it('keeps the engine’s own words only for what it does not know', () => {
    expect(openProblem('failed', false, 'Could not start video source')).toEqual({
      kind: 'failed', title: 'The device could not be opened', message: 'Could not start video source',
    });
    expect(openProblem('busy', false, 'x').message).toContain('in use by another program');
    expect(openProblem('no-device', false, 'x')).toEqual(noDevice());
  });
});
