import { randomBytes } from 'node:crypto';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, isAbsolute } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallRequest, CallResponse } from '../../core/contract/api.js';
import { serializeError } from '../../core/errors.js';
import { pageType } from '../../core/media-types.js';
import { contentSecurityPolicy } from '../../core/security/csp.js';
import type { AppHost } from '../../host/app-host.js';
import { COOKIE, Gate } from './auth.js';

const MAX_MESSAGE = 1024 * 1024;

export interface ServeOptions {
  port: number;
  rendererDir: string;
  /** Fixed token for tests; random otherwise. */
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/**
 * The Node host: the same app as the desktop shell, served to a browser on 127.0.0.1 only, with
 * a random token per start (printed in the URL, like Jupyter). Calls and events travel over one
 * WebSocket using the same contract as Electron IPC; media is served by id with Range support.
 */
export async function startServer(host: AppHost, opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let port = opts.port;
  const gate = new Gate(token, () => port);
  const root = realpathSync(opts.rendererDir);

  const securityHeaders = () => ({
    'content-security-policy': contentSecurityPolicy({ media: [], connect: gate.allowedHosts().map((h) => `ws://${h}`) }),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });

  const serveStatic = (res: ServerResponse, pathname: string, method: string) => {
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    if (rel.includes('\0')) return send(res, 404, 'Not found');
    let file: string;
    try {
      file = realpathSync(join(root, rel));
    } catch {
      return send(res, 404, 'Not found');
    }
    const r = relative(root, file);
    if (r.startsWith('..') || isAbsolute(r)) return send(res, 404, 'Not found');
    let size: number;
    try {
      const st = statSync(file);
      // No directory listings, ever.
      if (!st.isFile()) return send(res, 404, 'Not found');
      size = st.size;
    } catch {
      return send(res, 404, 'Not found');
    }
    res.writeHead(200, {
      'content-type': pageType(file),
      'content-length': String(size),
      'cache-control': rel === 'index.html' ? 'no-store' : 'private, max-age=31536000, immutable',
      ...securityHeaders(),
    });
    if (method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    if (!gate.hostOk(req)) return send(res, 403, 'Forbidden: unexpected Host header.');
    if (!gate.originOk(req, false)) return send(res, 403, 'Forbidden: cross-origin request.');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    if (!gate.authenticated(req, url)) {
      return send(res, 401, 'Unauthorized: open the URL with the token that `opscope serve` printed.');
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the address bar for an HttpOnly cookie, and drop it from the URL.
      url.searchParams.delete('token');
      res.writeHead(303, {
        'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        location: url.pathname + (url.search || ''),
        'cache-control': 'no-store',
      });
      return res.end();
    }
    if (url.pathname.startsWith('/media/')) {
      const r = host.media.respond(url.pathname.slice('/media'.length), req.headers.range, method);
      res.writeHead(r.status, r.headers);
      if (r.body) {
        r.body.on('error', () => res.destroy());
        r.body.pipe(res);
      } else res.end();
      return;
    }
    if (url.pathname === '/ws') return send(res, 426, 'Upgrade required');
    serveStatic(res, url.pathname, method);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'invalid'}`);
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!gate.hostOk(req) || !gate.originOk(req, true)) return refuse('403 Forbidden');
    if (url.pathname !== '/ws') return refuse('404 Not Found');
    if (!gate.authenticated(req, url)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const off = host.bus.subscribe((e) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event: e.name, payload: e.payload }));
    });
    ws.on('close', off);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      let req: CallRequest;
      try {
        req = JSON.parse(data.toString()) as CallRequest;
        if (typeof req !== 'object' || req === null || typeof req.id !== 'number') throw new Error('bad request');
      } catch {
        return ws.close(1007, 'invalid message');
      }
      void host
        .callUntyped(req.name, req.input, { transport: 'web' })
        .then((value): CallResponse => ({ id: req.id, ok: true, value }))
        .catch((err: unknown): CallResponse => ({ id: req.id, ok: false, error: serializeError(err) }))
        .then((response) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
        });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
