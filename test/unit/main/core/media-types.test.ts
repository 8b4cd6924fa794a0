import { describe, expect, it } from 'vitest';
import { mediaType, pageType, UNKNOWN_TYPE } from '../../../../main/core/media-types.js';

describe('media types', () => {
  it('names the type of recordings and derived pictures, whatever the case of the extension', () => {
    expect(mediaType('/data/cases/c1/part.MP4')).toBe('video/mp4');
    expect(mediaType('C:\\Recordings\\run-001\\seg-00001.mkv')).toBe('video/webm');
    expect(mediaType('clip.mov')).toBe('video/mp4');
    expect(mediaType('/data/frames/f-12.jpg')).toBe('image/jpeg');
    expect(mediaType('sheet-0.png')).toBe('image/png');
  });

  it('never sends a recording with the type of a page, even one named like a page', () => {
    expect(mediaType('/imports/procedure.html')).toBe(UNKNOWN_TYPE);
    expect(mediaType('/imports/procedure.js')).toBe(UNKNOWN_TYPE);
    expect(mediaType('/imports/procedure.svg')).toBe(UNKNOWN_TYPE);
  });

  it('names the types of the user interface files', () => {
    expect(pageType('index.html')).toBe('text/html; charset=utf-8');
    expect(pageType('assets/index-abc.js')).toBe('text/javascript; charset=utf-8');
    expect(pageType('assets/index-abc.css')).toBe('text/css; charset=utf-8');
    expect(pageType('assets/inter.woff2')).toBe('font/woff2');
  });

  it('sends what it does not know as bytes, including files with no extension or a dot folder', () => {
    expect(pageType('assets/data.bin')).toBe(UNKNOWN_TYPE);
    expect(mediaType('/data/.cache/README')).toBe(UNKNOWN_TYPE);
    expect(mediaType('/data/.mp4')).toBe(UNKNOWN_TYPE);
  });
});
