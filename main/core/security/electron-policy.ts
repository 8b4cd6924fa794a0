import { contentSecurityPolicy } from './csp.js';
import { APP_SCHEME, MEDIA_SCHEME, RENDERER_ORIGIN } from './origins.js';

/*
 * The desktop shell's security settings as plain data, so unit tests can assert them without an
 * Electron binary. main/electron applies them; the scanner (npm run scan) checks the same code.
 */

/**
 * Every BrowserWindow's webPreferences except the preload path. main/electron/index.ts repeats
 * them inline because the scanner reads only literals; a unit test holds the two equal.
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  // A middle click would otherwise try to open a link in a new window.
  disableBlinkFeatures: 'Auxclick',
  safeDialogs: true,
  spellcheck: false,
} as const;

/** The page the window loads: the app's own scheme, never file://. */
export const RENDERER_URL = `${RENDERER_ORIGIN}/index.html`;

/** The schemes registered before the app is ready; neither bypasses the CSP nor gets CORS. */
export const PRIVILEGED_SCHEMES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
] as const;

/** The renderer's CSP in the desktop app: media and images from the media scheme only, no network. */
export const RENDERER_CSP = contentSecurityPolicy({ media: [`${MEDIA_SCHEME}:`], connect: [] });

/**
 * Whether a frame may go to `url`: only to a page of the app itself. Compared on the parsed URL
 * so a look-alike ("app://renderer.evil/", "app://user@renderer/") is refused.
 */
export function isAppNavigation(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === new URL(RENDERER_ORIGIN).host && u.username === '' && u.password === '' && u.port === '';
  } catch {
    return false;
  }
}

/** What Electron tells about a permission request: the page asking, and for media which kinds. */
export interface PermissionAsk {
  /** The requesting page's URL or origin. */
  origin?: string | undefined;
  mediaTypes?: readonly string[] | undefined;
}

/**
 * Whether the page may have a permission. Only one: operating-room mode records the endoscope
 * feed through the window, so the app's own page may capture video. Never the microphone (an
 * operating room's talk is not part of the record), and nothing else (notifications, clipboard,
 * geolocation...).
 */
export function permissionAllowed(permission: string, ask: PermissionAsk = {}): boolean {
  if (permission !== 'media' || !ask.origin || !isAppNavigation(ask.origin)) return false;
  const types = ask.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

/**
 * The fuses the packaged binary must carry (electron-builder.yml `electronFuses`): it cannot be
 * run as plain Node, ignores NODE_OPTIONS and --inspect, checks its asar and loads only from it.
 */
export const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
} as const;
