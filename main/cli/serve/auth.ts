import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'opscope_token';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

/**
 * The checks every request to the loopback host passes: its Host names this server (defeats DNS
 * rebinding), a cross-origin Origin is refused (defeats cross-site requests), and it carries
 * the per-start token (cookie, bearer header or query).
 */
export class Gate {
  constructor(
    readonly token: string,
    private readonly port: () => number,
  ) {}

  allowedHosts(): string[] {
    const p = this.port();
    return [`127.0.0.1:${p}`, `localhost:${p}`];
  }

  hostOk(req: IncomingMessage): boolean {
    return this.allowedHosts().includes((req.headers.host ?? '').toLowerCase());
  }

  /** Origin, when sent, must be this server. `requireOrigin` for WebSocket upgrades. */
  originOk(req: IncomingMessage, requireOrigin: boolean): boolean {
    const origin = req.headers.origin;
    if (!origin) return !requireOrigin;
    return this.allowedHosts().some((h) => origin.toLowerCase() === `http://${h}`);
  }

  tokenOk(candidate: string | null | undefined): boolean {
    return typeof candidate === 'string' && same(candidate, this.token);
  }

  authenticated(req: IncomingMessage, url: URL): boolean {
    return this.tokenOk(cookieToken(req)) || this.tokenOk(bearerToken(req)) || this.tokenOk(url.searchParams.get('token'));
  }
}
