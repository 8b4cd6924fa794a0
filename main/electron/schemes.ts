import { protocol } from 'electron';

/** The renderer is served from app://renderer, media from app-media://media. Never file://. */
export const APP_SCHEME = 'app';
export const MEDIA_SCHEME = 'app-media';
export const RENDERER_ORIGIN = `${APP_SCHEME}://renderer`;

/** Must run before the app is ready. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}
