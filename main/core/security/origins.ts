/** The renderer is served from app://renderer, media from app-media://media. Never file://. */
export const APP_SCHEME = 'app';
export const MEDIA_SCHEME = 'app-media';
const RENDERER_HOST = 'renderer';
export const RENDERER_ORIGIN = `${APP_SCHEME}://${RENDERER_HOST}`;

/**
 * Calls are accepted only from the app's own top-level page: not a subframe, not another origin.
 * Scheme and host are compared, not `URL.origin`: outside Chromium a custom scheme has an opaque
 * origin ("null"), so an origin comparison would refuse the app itself.
 */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined): boolean {
  if (!frame || frame.parent) return false;
  try {
    const u = new URL(frame.url);
    return u.protocol === `${APP_SCHEME}:` && u.host === RENDERER_HOST && u.username === '' && u.password === '' && u.port === '';
  } catch {
    return false;
  }
}
