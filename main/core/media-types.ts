/**
 * Content types by file name, the one table for every place that serves files (the Electron
 * protocols, the Node host's HTTP server, the media files of cases). Two kinds are kept apart on
 * purpose: a recording is never served with a page's type, or a video whose bytes carry markup
 * could run as a page in the app's origin.
 */

/** Recordings and the pictures derived from them (thumbnails, frames, agent frames). */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/mp4',
  '.webm': 'video/webm',
  '.mkv': 'video/webm',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
};

/** The files of the built user interface. */
const PAGE_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** What a file of a type not in the table is sent as: bytes to download, never displayed. */
export const UNKNOWN_TYPE = 'application/octet-stream';

function extensionOf(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** The content type of a recording or a derived picture. */
export function mediaType(path: string): string {
  return MEDIA_TYPES[extensionOf(path)] ?? UNKNOWN_TYPE;
}

/** The content type of a file of the built user interface. */
export function pageType(path: string): string {
  return PAGE_TYPES[extensionOf(path)] ?? UNKNOWN_TYPE;
}
