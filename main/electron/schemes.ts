import { protocol } from 'electron';
import { PRIVILEGED_SCHEMES } from '../core/security/electron-policy.js';

export { APP_SCHEME, MEDIA_SCHEME, RENDERER_ORIGIN } from '../core/security/origins.js';

/** Must run before the app is ready. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })));
}
