import { describe, expect, it } from 'vitest';
import { isTrustedSender, RENDERER_ORIGIN } from '../../main/core/security/origins.js';

describe('which frames may call the host over IPC', () => {
  it("accepts the app's own top-level page", () => {
    expect(isTrustedSender({ url: `${RENDERER_ORIGIN}/index.html`, parent: null })).toBe(true);
    expect(isTrustedSender({ url: `${RENDERER_ORIGIN}/index.html#/case/abc`, parent: null })).toBe(true);
  });

  it('refuses subframes, other schemes and look-alike hosts', () => {
    expect(isTrustedSender({ url: `${RENDERER_ORIGIN}/index.html`, parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'https://renderer/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///app/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'app://renderer.evil/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'app://user@renderer/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'app://renderer:8080/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'app-media://media/x', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'not a url', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});
