import { protocol } from 'electron';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pageType } from '../core/media-types.js';
import { RENDERER_CSP } from '../core/security/electron-policy.js';
import type { AppHost } from '../host/app-host.js';
import { APP_SCHEME, MEDIA_SCHEME } from './schemes.js';

function toWeb(body: Readable): ReadableStream {
  return Readable.toWeb(body) as unknown as ReadableStream;
}

/** Serves the built renderer and media by id. Both refuse anything outside their roots. */
export function registerProtocols(host: AppHost, rendererDir: string): void {
  const root = realpathSync(rendererDir);
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    if (url.host !== 'renderer') return new Response('Not found', { status: 404 });
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    try {
      const file = realpathSync(join(root, rel));
      const r = relative(root, file);
      if (r.startsWith('..') || isAbsolute(r) || !statSync(file).isFile()) return new Response('Not found', { status: 404 });
      return new Response(toWeb(createReadStream(file)), {
        headers: {
          'content-type': pageType(file),
          'content-security-policy': RENDERER_CSP,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });

  protocol.handle(MEDIA_SCHEME, (request) => {
    const url = new URL(request.url);
    if (url.host !== 'media') return new Response('Not found', { status: 404 });
    const r = host.media.respond(url.pathname, request.headers.get('range'), request.method);
    return new Response(r.body ? toWeb(r.body) : null, { status: r.status, headers: r.headers });
  });
}
