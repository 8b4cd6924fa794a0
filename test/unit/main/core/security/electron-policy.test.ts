/*
 * The desktop shell's hardening, checked without an Electron binary: the policy module's data,
 * the inline webPreferences against it, the CSPs, the fuses in electron-builder.yml, and the real
 * main/electron and preload modules run against a stand-in `electron` that records what they set.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_CHANNEL } from '../../../../../main/core/contract/ipc-channels.js';
import { contentSecurityPolicy } from '../../../../../main/core/security/csp.js';
import {
  isAppNavigation, permissionAllowed, PRIVILEGED_SCHEMES, RENDERER_CSP, RENDERER_URL, REQUIRED_FUSES, WEB_PREFERENCES,
} from '../../../../../main/core/security/electron-policy.js';
import { AppHost } from '../../../../../main/host/app-host.js';

import { ROOT } from '../../../../support/cli.js';

type Listener = (...args: unknown[]) => unknown;
const fake = vi.hoisted(() => {
  const state = {
    appListeners: new Map<string, ((...a: unknown[]) => unknown)[]>(),
    session: {} as Record<string, (...a: unknown[]) => unknown>,
    handles: new Map<string, (...a: unknown[]) => unknown>(),
    ipcOn: [] as string[],
    exposed: new Map<string, unknown>(),
    invoked: [] as unknown[][],
    openExternal: [] as string[],
  };
  return state;
});

vi.mock('electron', () => ({
  app: {
    on: (name: string, fn: Listener) => {
      const list = fake.appListeners.get(name) ?? [];
      list.push(fn);
      fake.appListeners.set(name, list);
    },
  },
  session: {
    defaultSession: new Proxy({}, { get: (_t, name: string) => (fn: Listener) => (fake.session[name] = fn) }),
  },
  shell: { openExternal: (url: string) => fake.openExternal.push(url) },
  ipcMain: {
    handle: (channel: string, fn: Listener) => fake.handles.set(channel, fn),
    removeHandler: (channel: string) => fake.handles.delete(channel),
    on: (channel: string) => fake.ipcOn.push(channel),
  },
  MessageChannelMain: class {},
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    on: () => undefined,
    invoke: async (...args: unknown[]) => {
      fake.invoked.push(args);
      return { ok: true, value: null };
    },
  },
  webUtils: { getPathForFile: () => '' },
}));

/** Directives of a CSP string. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

/** What a strict policy allows: nothing remote, media only from the app, no inline or eval script. */
function expectStrict(csp: string, media: string[]) {
  const d = directives(csp);
  expect(d.get('default-src')).toEqual(["'none'"]);
  expect(d.get('script-src')).toEqual(["'self'"]);
  expect(d.get('object-src')).toEqual(["'none'"]);
  expect(d.get('base-uri')).toEqual(["'none'"]);
  expect(d.get('form-action')).toEqual(["'none'"]);
  for (const [name, values] of d) {
    for (const v of values) {
      expect(v, `${name} ${v}`).not.toMatch(/^(https?:|\*|wss:)/);
      expect(v, `${name} ${v}`).not.toMatch(/unsafe-eval|strict-dynamic/);
      if (v.startsWith('ws://')) expect(v, name).toMatch(/^ws:\/\/(127\.0\.0\.1|localhost)(:\d+|:\*)?$/);
    }
  }
  for (const name of ['img-src', 'media-src']) {
    for (const v of d.get(name) ?? []) expect(["'self'", 'blob:', 'data:', ...media], `${name} ${v}`).toContain(v);
  }
  expect(d.get('media-src')).not.toContain('data:');
}

describe('the security policy as data', () => {
  it('isolates and sandboxes the page, with no Node anywhere', () => {
    expect(WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it("the window is created with exactly the policy's webPreferences, as literals the scanner reads", () => {
    const file = join(ROOT, 'main', 'electron', 'index.ts');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const found: Record<string, unknown>[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && node.expression.getText() === 'BrowserWindow') {
        const options = node.arguments?.[0];
        if (!options || !ts.isObjectLiteralExpression(options)) throw new Error('BrowserWindow options must be an object literal');
        const prefs = options.properties.find((p) => p.name?.getText() === 'webPreferences');
        if (!prefs || !ts.isPropertyAssignment(prefs) || !ts.isObjectLiteralExpression(prefs.initializer)) throw new Error('webPreferences must be an object literal');
        const values: Record<string, unknown> = {};
        for (const p of prefs.initializer.properties) {
          if (!ts.isPropertyAssignment(p)) throw new Error(`webPreferences: ${p.getText()} is not a plain property`);
          const v = p.initializer;
          values[p.name.getText()] =
            v.kind === ts.SyntaxKind.TrueKeyword ? true : v.kind === ts.SyntaxKind.FalseKeyword ? false : ts.isStringLiteral(v) ? v.text : `(${v.getText()})`;
        }
        found.push(values);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(found.length).toBeGreaterThanOrEqual(1);
    for (const values of found) expect(values).toEqual({ ...WEB_PREFERENCES, preload: '(preloadPath())' });
  });

  it('serves the page from the app scheme, never file://, and registers no scheme that bypasses the CSP', () => {
    expect(RENDERER_URL).toBe('app://renderer/index.html');
    for (const s of PRIVILEGED_SCHEMES) {
      expect(s.privileges).not.toHaveProperty('bypassCSP');
      expect(s.privileges).not.toHaveProperty('corsEnabled');
      expect(s.privileges).not.toHaveProperty('allowServiceWorkers');
    }
    expect(PRIVILEGED_SCHEMES.map((s) => s.scheme)).toEqual(['app', 'app-media']);
  });

  it('allows navigation only within the app', () => {
    expect(isAppNavigation('app://renderer/index.html')).toBe(true);
    expect(isAppNavigation('app://renderer/index.html#/case/x')).toBe(true);
    for (const url of [
      'https://example.org/', 'http://127.0.0.1:8000/', 'file:///etc/passwd', 'app://renderer.evil/', 'app://user@renderer/',
      'app://renderer:1/', 'app-media://media/part/abcdefgh', 'javascript:alert(1)', 'data:text/html,x', 'about:blank', '',
    ]) {
      expect(isAppNavigation(url), url).toBe(false);
    }
  });

  it("grants no permission but video capture to the app's own page", () => {
    const app = 'app://renderer/index.html';
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial']) {
      expect(permissionAllowed(p), p).toBe(false);
      expect(permissionAllowed(p, { origin: app }), p).toBe(false);
    }
    expect(permissionAllowed('media', { origin: app, mediaTypes: ['video'] })).toBe(true);
    expect(permissionAllowed('media', { origin: 'app://renderer', mediaTypes: ['video'] })).toBe(true);
    // Never the microphone, never another page.
    expect(permissionAllowed('media', { origin: app, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(permissionAllowed('media', { origin: app, mediaTypes: ['audio'] })).toBe(false);
    expect(permissionAllowed('media', { origin: app, mediaTypes: [] })).toBe(false);
    for (const origin of ['https://example.org', 'app://renderer.evil/', 'file:///x.html', undefined]) {
      expect(permissionAllowed('media', { origin, mediaTypes: ['video'] }), String(origin)).toBe(false);
    }
  });

  it('has strict CSPs: the desktop header, the Node host header and the page itself', () => {
    expectStrict(RENDERER_CSP, ['app-media:']);
    expect(directives(RENDERER_CSP).get('connect-src')).toEqual(["'self'", 'app-media:']);
    const web = contentSecurityPolicy({ media: [], connect: ['ws://127.0.0.1:4312', 'ws://localhost:4312'] });
    expectStrict(web, []);
    const html = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta, 'renderer/index.html carries a CSP').not.toBeNull();
    expectStrict(meta![1]!, ['app-media:']);
  });

  it('ships with the hardening fuses set in electron-builder.yml', () => {
    const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    expect(yml).toMatch(/^asar: true$/m);
    const block = /^electronFuses:\n((?:[ \t]+.*\n)+)/m.exec(yml)?.[1] ?? '';
    const fuses = Object.fromEntries(
      block.split('\n').map((l) => /^\s+(\w+):\s*(true|false)\s*$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2] === 'true']),
    );
    for (const [name, value] of Object.entries(REQUIRED_FUSES)) expect(fuses[name], name).toBe(value);
  });
});

describe('main/electron/security.ts against a stand-in Electron', () => {
  const contents = { listeners: new Map<string, Listener>(), openHandler: null as Listener | null };

  beforeAll(async () => {
    const { installSecurityGuards } = await import('../../../../../main/electron/security.js');
    installSecurityGuards();
    const created = fake.appListeners.get('web-contents-created') ?? [];
    expect(created).toHaveLength(1);
    created[0]!({}, {
      on: (name: string, fn: Listener) => contents.listeners.set(name, fn),
      setWindowOpenHandler: (fn: Listener) => (contents.openHandler = fn),
    });
  });

  const prevented = (name: string, ...args: unknown[]) => {
    let value = false;
    const event = { preventDefault: () => (value = true), url: args[0] };
    contents.listeners.get(name)!(event, ...args);
    return value;
  };

  it('denies navigation, redirects and subframe navigation away from the app, and webviews', () => {
    for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      expect(prevented(name, 'https://evil.example/'), name).toBe(true);
      expect(prevented(name, 'file:///etc/passwd'), name).toBe(true);
      expect(prevented(name, 'app://renderer/index.html'), name).toBe(false);
    }
    expect(prevented('will-attach-webview')).toBe(true);
  });

  it('denies every new window and opens nothing in the system browser', () => {
    for (const url of ['https://example.org/', 'app://renderer/index.html', 'mailto:x@y']) {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.openExternal).toEqual([]);
  });

  it('allows video capture to the app page only, and denies every other permission and device access', () => {
    const answers: boolean[] = [];
    const ask = (permission: string, details: object) =>
      fake.session.setPermissionRequestHandler!({}, permission, (ok: boolean) => answers.push(ok), details);
    ask('media', { requestingUrl: 'app://renderer/index.html', mediaTypes: ['video'] });
    ask('media', { requestingUrl: 'app://renderer/index.html', mediaTypes: ['video', 'audio'] });
    ask('media', { requestingUrl: 'https://example.org/', mediaTypes: ['video'] });
    ask('notifications', { requestingUrl: 'app://renderer/index.html' });
    expect(answers).toEqual([true, false, false, false]);
    expect(fake.session.setPermissionCheckHandler!({}, 'media', 'app://renderer', { mediaType: 'video' })).toBe(true);
    expect(fake.session.setPermissionCheckHandler!({}, 'media', 'app://renderer', { mediaType: 'audio' })).toBe(false);
    expect(fake.session.setPermissionCheckHandler!({}, 'clipboard-read', 'app://renderer', {})).toBe(false);
    expect(fake.session.setDevicePermissionHandler!({ deviceType: 'usb' })).toBe(false);
  });
});

describe('IPC: one handler, which checks the sender frame and validates the payload', () => {
  let home: string;
  let host: AppHost;
  let unregister: () => void;
  const calls: unknown[][] = [];

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'opscope-ipc-'));
    host = new AppHost({ dataDir: join(home, 'data'), transport: 'electron', launcher: () => { throw new Error('no worker in this test'); } });
    const call = host.call.bind(host);
    host.call = (...args) => {
      calls.push(args);
      return call(...args);
    };
    const { registerIpc } = await import('../../../../../main/electron/ipc.js');
    unregister = registerIpc(host, () => null);
    expect([...fake.handles.keys()]).toEqual([CALL_CHANNEL]);
    expect(fake.ipcOn).toEqual([]);
  });

  afterAll(async () => {
    unregister();
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  const invoke = (frame: unknown, name: unknown, input: unknown) =>
    fake.handles.get('opscope:call')!({ senderFrame: frame }, name, input) as Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  const page = { url: 'app://renderer/index.html', parent: null };

  it('refuses calls from any frame but the app page, before the host sees them', async () => {
    for (const frame of [null, { url: 'https://evil.example/', parent: null }, { url: 'app://renderer/index.html', parent: page }, { url: 'file:///x.html', parent: null }]) {
      const r = await invoke(frame, 'app.info', {});
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/untrusted frame/) } });
    }
    expect(calls).toEqual([]);
  });

  it('validates the payload through the router', async () => {
    expect(await invoke(page, 'app.info', {})).toMatchObject({ ok: true, value: { transport: 'electron' } });
    expect(await invoke(page, 'cases.get', { caseId: '../../etc/passwd' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await invoke(page, 'cases.get', { caseId: 'abcdefgh', extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await invoke(page, 'no.such.call', {})).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await invoke(page, { toString: () => 'app.info' }, {})).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await invoke(page, 'settings.set', { agent: { backend: 'openai', openai: { baseUrl: 'javascript:alert(1)' } } })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
});

describe('the preload exposes exactly the contract', () => {
  it('puts one object on the page, which calls only contract names', async () => {
    await import('../../../../../preload/index.js');
    expect([...fake.exposed.keys()]).toEqual(['opscope']);
    const api = fake.exposed.get('opscope') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['call', 'mediaUrl', 'on', 'pathForFile', 'transport']);
    const call = api.call as (name: unknown, input: unknown) => Promise<unknown>;
    await expect(call('shell.openExternal', {})).rejects.toThrow(/Unknown call/);
    await expect(call('__proto__', {})).rejects.toThrow(/Unknown call/);
    expect(fake.invoked).toEqual([]);
    await call('app.info', {});
    expect(fake.invoked).toEqual([['opscope:call', 'app.info', {}]]);
    expect((api.on as (n: string, l: () => void) => unknown).bind(null, 'no.such.event', () => undefined)).toThrow(/Unknown event/);
  });
});
