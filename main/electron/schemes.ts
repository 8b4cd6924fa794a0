import { protocol } from 'electron';
import { APP_SCHEME, MEDIA_SCHEME } from '../core/security/origins.js';

export { APP_SCHEME, MEDIA_SCHEME, RENDERER_ORIGIN } from '../core/security/origins.js';

/** Must run before the app is ready. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}
