/*
 * Where the openai backend may send a request. Patient video goes to whatever server is
 * configured, so a server that is not on this machine is used only after an explicit opt-in.
 */

import { OpscopeError } from '../../../core/errors.js';

/** True for names and addresses that never leave the machine: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127(\.\d{1,3}){3}$/.test(h)) return h.split('.').every((n) => Number(n) <= 255);
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  // IPv4-mapped IPv6 (the URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1).
  const mapped = /^::ffff:(?:7f[0-9a-f]{2}:[0-9a-f]{1,4}|127(?:\.\d{1,3}){3})$/.exec(h);
  return mapped !== null;
}

export interface ServerUrl {
  /** The API root without a trailing slash, e.g. "http://127.0.0.1:8000/v1". */
  base: string;
  /** host[:port], for messages and the recorded execution provider. */
  host: string;
  loopback: boolean;
}

/**
 * The API root from a setting as people write it: "http://127.0.0.1:8000", ".../v1", ".../v1/",
 * or the full ".../v1/chat/completions". A bare host gets "/v1" (vLLM, Ollama, LM Studio and
 * llama.cpp server all serve it there).
 */
export function parseServerUrl(value: string): ServerUrl {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new OpscopeError('invalid-input', `The openai backend's baseUrl "${value}" is not a URL (e.g. http://127.0.0.1:8000/v1).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OpscopeError('invalid-input', `The openai backend's baseUrl must start with http:// or https:// (got "${url.protocol}").`);
  }
  url.search = '';
  url.hash = '';
  let path = url.pathname.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
  if (path === '') path = '/v1';
  url.pathname = path;
  return { base: url.toString().replace(/\/+$/, ''), host: url.host, loopback: isLoopbackHost(url.hostname) };
}

/** Refuses a server off this machine unless remote use was allowed. */
export function checkServerAllowed(server: ServerUrl, allowRemote: boolean): void {
  if (server.loopback || allowRemote) return;
  const hint = /^(0\.0\.0\.0|\[::\])(:|$)/.test(server.host) ? ' To reach a server on this machine, use 127.0.0.1 instead.' : '';
  throw new OpscopeError(
    'unavailable',
    `Refusing to send this case to ${server.host}: it is not this machine (not 127.0.0.1, ::1 or localhost), so patient ` +
      'video would leave the machine. If that server is approved for patient data, set agent.openai.allowRemote to true.' +
      hint,
  );
}
