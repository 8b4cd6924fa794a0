import { app, session, type WebContents } from 'electron';
import { isAppNavigation, permissionAllowed } from '../core/security/electron-policy.js';

/**
 * Window-level guards: no navigation away from the app, no new windows, no permission but video
 * capture for the app's own page, no other device access. Nothing is opened in the user's browser
 * either: a URL handed to the system browser could carry patient data off the machine.
 */
export function installSecurityGuards(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionAllowed(permission, { origin: details.requestingUrl, mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined })),
  );
  ses.setPermissionCheckHandler((_wc, permission, origin, details) =>
    permissionAllowed(permission, { origin, mediaTypes: 'mediaType' in details && details.mediaType ? [details.mediaType] : undefined }),
  );
  ses.setDevicePermissionHandler(() => false);

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppNavigation(url)) event.preventDefault();
    });
    // Subframes navigate through this one (will-navigate is the main frame's only).
    contents.on('will-frame-navigate', (event) => {
      if (!isAppNavigation(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
