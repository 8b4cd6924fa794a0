import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AppHost } from '../../main/host/app-host.js';
import { startServer, type RunningServer } from '../../main/cli/serve/server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function ws(port: number, headers: Record<string, string>): Promise<{ socket: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    socket.on('open', () => resolve({ socket }));
    socket.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    socket.on('error', () => resolve({ status: -1 }));
  });
}

/** Sends raw bytes and collects the reply until the server closes the connection. */
function raw(port: number, text: string, host = '127.0.0.1'): Promise<{ reply: string; closed: boolean } | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ reply, closed: false });
    }, 3000);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ reply, closed: true });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: err.code ?? err.message });
    });
  });
}

describe('opscope serve: loopback, token, Host and Origin', () => {
  let home: string;
  let host: AppHost;
  let server: RunningServer;
  let cookie: string;
  const origin = () => `http://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'opscope-serve-'));
    const renderer = join(home, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Opscope</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(home, 'secret.txt'), 'not for the browser');
    symlinkSync(join(home, 'secret.txt'), join(renderer, 'assets', 'link.js'));
    host = new AppHost({
      dataDir: join(home, 'data'),
      transport: 'web',
      launcher: () => {
        throw new Error('no media jobs in this test');
      },
    });
    server = await startServer(host, { port: 0, rendererDir: renderer });
  });

  afterAll(async () => {
    await server.close();
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('prints a loopback URL with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses requests without the token', async () => {
    expect((await get(server.port, '/')).status).toBe(401);
    expect((await get(server.port, '/?token=wrong')).status).toBe(401);
    expect((await get(server.port, '/assets/app.js')).status).toBe(401);
    expect((await get(server.port, '/media/part/abcdefgh')).status).toBe(401);
  });

  it('trades the token for an HttpOnly, SameSite=Strict cookie', async () => {
    const r = await get(server.port, `/?token=${server.token}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
    const page = await get(server.port, '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.headers['content-security-policy']).not.toMatch(/https?:/);
    expect((await get(server.port, '/', { authorization: `Bearer ${server.token}` })).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (cross-site)', async () => {
    expect((await get(server.port, '/', { cookie, host: 'evil.example:80' })).status).toBe(403);
    expect((await get(server.port, '/', { cookie, host: `attacker.test:${server.port}` })).status).toBe(403);
    expect((await get(server.port, '/', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(server.port, '/', { cookie, host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('lists no directories and serves nothing outside the app', async () => {
    expect((await get(server.port, '/assets/', { cookie })).status).toBe(404);
    expect((await get(server.port, '/assets', { cookie })).status).toBe(404);
    expect((await get(server.port, '/%2e%2e/secret.txt', { cookie })).status).toBe(404);
    expect((await get(server.port, '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', { cookie })).status).toBe(404);
    expect((await get(server.port, '/assets/link.js', { cookie })).status).toBe(404);
    expect((await get(server.port, '/media/part/..%2f..%2fsecret.txt', { cookie })).status).toBe(404);
    expect((await get(server.port, '/media/part/abcdefgh', { cookie })).status).toBe(404);
    expect((await get(server.port, '/', { cookie }, 'POST')).status).toBe(405);
  });

  it('accepts WebSocket calls only with token and same origin', async () => {
    expect(await ws(server.port, { origin: origin() })).toEqual({ status: 401 });
    expect(await ws(server.port, { cookie })).toEqual({ status: 403 });
    expect(await ws(server.port, { cookie, origin: 'http://evil.example' })).toEqual({ status: 403 });
    const ok = await ws(server.port, { cookie, origin: origin() });
    if (!('socket' in ok)) throw new Error(`refused: ${ok.status}`);
    const replies: unknown[] = [];
    ok.socket.on('message', (d) => replies.push(JSON.parse(String(d))));
    ok.socket.send(JSON.stringify({ id: 1, name: 'app.info', input: {} }));
    ok.socket.send(JSON.stringify({ id: 2, name: 'cases.get', input: { caseId: '../../etc' } }));
    ok.socket.send(JSON.stringify({ id: 3, name: 'no.such.call', input: {} }));
    await expect.poll(() => replies.length).toBe(3);
    const byId = (id: number) => replies.find((r) => (r as { id: number }).id === id) as Record<string, unknown>;
    expect(byId(1)).toMatchObject({ ok: true, value: { transport: 'web', firstRun: true } });
    expect(byId(2)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(byId(3)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const closed = new Promise<number>((r) => ok.socket.on('close', (code) => r(code)));
    ok.socket.send('{not json');
    expect(await closed).toBe(1007);
  });
  it('listens on 127.0.0.1 alone: other loopback addresses are refused', async () => {
    // Bound to every interface, the server would answer on these too.
    for (const address of ['127.0.0.2', '::1']) {
      const r = await raw(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', address);
      expect(r, address).toHaveProperty('error');
    }
  });

  it('checks the token on every method and path, and a wrong cookie is no token', async () => {
    expect((await get(server.port, '/', {}, 'HEAD')).status).toBe(401);
    expect((await get(server.port, '/index.html', { cookie: 'opscope_token=nope' })).status).toBe(401);
    expect((await get(server.port, '/', { cookie: `opscope_token=${server.token}x` })).status).toBe(401);
    expect((await get(server.port, '/', { authorization: `Bearer ${server.token.slice(1)}` })).status).toBe(401);
    expect((await get(server.port, '/ws')).status).toBe(401);
    expect((await get(server.port, '/media/thumbs/abcdefgh/0', { cookie: 'opscope_token=' })).status).toBe(401);
    for (const method of ['OPTIONS', 'PUT', 'DELETE', 'PATCH']) expect((await get(server.port, '/', { cookie }, method)).status, method).toBe(405);
  });

  it('refuses a missing Host and every Origin that is not this server', async () => {
    const noHost = await raw(server.port, `GET / HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`);
    expect('reply' in noHost && noHost.reply).toMatch(/^HTTP\/1\.[01] 403/);
    for (const origin of ['null', `https://127.0.0.1:${server.port}`, `http://127.0.0.1:${server.port}.evil.example`, `http://127.0.0.1:${server.port + 1}`, 'http://localhost']) {
      expect((await get(server.port, '/', { cookie, origin })).status, origin).toBe(403);
    }
  });

  it('sends no CORS grant and keeps pages out of frames', async () => {
    const r = await get(server.port, '/', { cookie, origin: origin() });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    const refused = await get(server.port, '/', { origin: 'http://evil.example' });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('closes the socket of a refused WebSocket upgrade', async () => {
    const upgrade = (headers: string) =>
      raw(server.port, `GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${headers}\r\n`);
    const port = server.port;
    const cases: [string, RegExp][] = [
      [`Host: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n`, / 401 /],
      [`Host: evil.example:${port}\r\nOrigin: http://evil.example:${port}\r\nCookie: ${cookie}\r\n`, / 403 /],
      [`Host: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\n`, / 403 /],
      [`Host: 127.0.0.1:${port}\r\nOrigin: http://evil.example\r\nCookie: ${cookie}\r\n`, / 403 /],
    ];
    for (const [headers, status] of cases) {
      const r = await upgrade(headers);
      if (!('reply' in r)) throw new Error(r.error);
      expect(r.reply.split('\r\n')[0], headers).toMatch(status);
      expect(r.closed, headers).toBe(true);
    }
  });

  it('accepts the token as a query parameter on the WebSocket too, and refuses a wrong one', async () => {
    const bad = await new Promise<number>((resolve) => {
      const s = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=wrong`, { headers: { origin: origin() } });
      s.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      s.on('error', () => resolve(-1));
    });
    expect(bad).toBe(401);
    const good = await new Promise<boolean>((resolve) => {
      const s = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { headers: { origin: origin() } });
      s.on('open', () => {
        s.close();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    expect(good).toBe(true);
  });
});
