import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHost } from '../../main/host/app-host.js';
import { tempHome } from '../support/cli.js';
import { bitstreamOf, TS, writeDicomVideo } from '../support/dicom.js';
import { testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';

/*
 * A PACS that misbehaves, on loopback: it refuses, stalls, and sends half a file. Each failure is
 * said clearly, leaves no partial file, and stops nothing else; a retrieval resumed later fetches
 * only what is missing and adds it to the same case.
 */

const STUDY = '1.2.826.0.1.3680043.10.1100.90';
const SERIES = `${STUDY}.1`;
const SOPS = [`${SERIES}.1`, `${SERIES}.2`];

type Behaviour = 'ok' | 'half' | 'stall' | 'refuse';

describe('a PACS that refuses, times out or sends half a file', () => {
  let home: string;
  let host: AppHost;
  let server: Server;
  let base = '';
  const files = new Map<string, Buffer>();
  const fetched: string[] = [];
  let behaviour: Record<string, Behaviour> = {};
  let requireAuth: string | null = null;

  function multipart(res: ServerResponse, body: Buffer, mode: Behaviour) {
    const boundary = 'b0undary';
    const head = Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const whole = Buffer.concat([head, body, tail]);
    res.writeHead(200, { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, 'content-length': String(whole.length) });
    if (mode === 'half') {
      res.write(whole.subarray(0, whole.length >> 1));
      setTimeout(() => res.socket?.destroy(), 50);
    } else if (mode === 'stall') {
      res.write(whole.subarray(0, 1000));
    } else res.end(whole);
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    if (requireAuth !== null && req.headers.authorization !== requireAuth) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('authentication required');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/dicom-web/, '');
    if (path === '/studies') {
      if (behaviour.search === 'stall') return; // never answers
      res.writeHead(200, { 'content-type': 'application/dicom+json' }).end(JSON.stringify([{ '0020000D': { vr: 'UI', Value: [STUDY] }, '00080061': { vr: 'CS', Value: ['ES'] } }]));
      return;
    }
    if (path === `/studies/${STUDY}/instances`) {
      res.writeHead(200, { 'content-type': 'application/dicom+json' }).end(
        JSON.stringify([
          ...SOPS.map((sop) => ({ '00080018': { vr: 'UI', Value: [sop] }, '0020000E': { vr: 'UI', Value: [SERIES] }, '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.77.1.1.1'] } })),
          // A still image of the same study: not a video, not fetched.
          { '00080018': { vr: 'UI', Value: [`${SERIES}.99`] }, '0020000E': { vr: 'UI', Value: [SERIES] }, '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.7'] } },
        ]),
      );
      return;
    }
    const m = /^\/studies\/[0-9.]+\/series\/[0-9.]+\/instances\/([0-9.]+)$/.exec(path);
    const body = m ? files.get(m[1]!) : undefined;
    if (!m || !body) {
      res.writeHead(404).end();
      return;
    }
    fetched.push(m[1]!);
    const mode = behaviour[m[1]!] ?? 'ok';
    if (mode === 'refuse') res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
    else multipart(res, body, mode);
  }

  beforeAll(async () => {
    home = tempHome();
    const a = await syntheticVideo({ duration: 3, width: 320, height: 240, fps: 25, gop: 1, events: [], seed: 71 });
    const b = await syntheticVideo({ duration: 2, width: 320, height: 240, fps: 25, gop: 1, events: [], seed: 72 });
    for (const [i, video] of [a, b].entries()) {
      const bits = await bitstreamOf(video, 'h264', join(home, `v${i}.ts`));
      const file = writeDicomVideo(join(home, 'src', `${i}.dcm`), { bitstream: bits, transferSyntax: TS.h264, studyUid: STUDY, seriesUid: SERIES, sopUid: SOPS[i]!, instanceNumber: i + 1, rows: 240, columns: 320, frames: 75 });
      files.set(SOPS[i]!, readFileSync(file));
    }
    server = createServer(handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/dicom-web`;
    host = testHost(home, { inProcess: true });
    await host.call('settings.set', { pacs: { url: base, allowRemote: false, auth: { kind: 'none', username: '' }, modalities: ['ES'], timeoutMs: 1500 } });
  }, 300_000);

  afterAll(async () => {
    await host?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    rmSync(home, { recursive: true, force: true });
  });

  const cacheFiles = () => {
    const dir = join(home, 'data', 'pacs', STUDY, SERIES);
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  };
  const retrieve = async () => host.call('pacs.wait', await host.call('pacs.retrieve', { studyInstanceUid: STUDY, index: false }));

  it('keeps nothing of a half-sent instance, imports the whole one, and resumes with only what is missing', async () => {
    behaviour = { [SOPS[1]!]: 'half' };
    const first = await retrieve();
    expect(first.outcome).toBe('done');
    expect(first.errors).toEqual([{ sopInstanceUid: SOPS[1], message: expect.stringMatching(/sent only part of instance .*nothing of it was kept|cut short/) }]);
    expect(first.message).toMatch(/1 instance\(s\) that are not video were not retrieved/);
    expect(cacheFiles()).toEqual([`${SOPS[0]}.dcm`]);
    const caseId = first.results[0]!.caseId!;
    expect((await host.call('cases.get', { caseId })).parts).toHaveLength(1);

    behaviour = {};
    fetched.length = 0;
    const second = await retrieve();
    expect(second.outcome).toBe('done');
    expect(fetched).toEqual([SOPS[1]]);
    // The missing instance joins the series' case, in instance order.
    const detail = await host.call('cases.get', { caseId });
    expect(detail.parts.map((p) => p.dicom?.sopInstanceUid)).toEqual(SOPS);
    expect(detail.duration).toBeCloseTo(5, 1);
    expect((await host.call('cases.list', {})).length).toBe(1);

    fetched.length = 0;
    await retrieve();
    expect(fetched).toEqual([]);
  }, 120_000);

  it('times out a PACS that stops sending, and one that never answers', async () => {
    rmSync(join(home, 'data', 'pacs'), { recursive: true, force: true });
    behaviour = { [SOPS[0]!]: 'stall', [SOPS[1]!]: 'refuse' };
    const stalled = await retrieve();
    expect(stalled.errors[0]?.message).toMatch(/did not answer within 2 s/);
    expect(stalled.errors[1]?.message).toMatch(/refused retrieving instance .* \(HTTP 503\)/);
    expect(stalled.outcome).toBe('failed');
    expect(cacheFiles()).toEqual([]);
    behaviour = { search: 'stall' };
    await expect(host.call('pacs.search', { patientId: 'X' })).rejects.toThrow(/did not answer within 2 s while searching/);
    behaviour = {};
  }, 60_000);

  it('cancels a retrieval; what was complete stays and is not fetched again', async () => {
    rmSync(join(home, 'data', 'pacs'), { recursive: true, force: true });
    behaviour = { [SOPS[1]!]: 'stall' };
    await host.call('settings.set', { pacs: { ...(await host.call('settings.get', {})).pacs, timeoutMs: 60_000 } });
    const { retrievalId } = await host.call('pacs.retrieve', { studyInstanceUid: STUDY, index: false });
    const started = Date.now();
    while (cacheFiles().length === 0 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
    expect((await host.call('pacs.cancel', { retrievalId })).canceled).toBe(true);
    const done = await host.call('pacs.wait', { retrievalId });
    expect(done.outcome).toBe('canceled');
    expect(done.message).toMatch(/Stopped after 1 of 2 instance\(s\)/);
    expect(cacheFiles()).toEqual([`${SOPS[0]}.dcm`]);
    expect((await host.call('pacs.cancel', { retrievalId })).canceled).toBe(false);
    await host.call('settings.set', { pacs: { ...(await host.call('settings.get', {})).pacs, timeoutMs: 1500 } });
    behaviour = {};
  }, 60_000);

  it('says when credentials are refused, sends basic authentication, and keeps the password out of the audit log', async () => {
    requireAuth = `Basic ${Buffer.from('reviewer:s3cret').toString('base64')}`;
    await expect(host.call('pacs.search', { patientId: 'X' })).rejects.toThrow(/refused searching \(HTTP 401\): check the user name, password or token/);
    const pacs = (await host.call('settings.get', {})).pacs;
    await host.call('settings.set', { pacs: { ...pacs, auth: { kind: 'basic', username: 'reviewer', password: 's3cret' } } });
    expect((await host.call('pacs.search', { patientId: 'X' })).studies).toHaveLength(1);
    const audit = await host.call('audit.list', { limit: 1000 });
    expect(JSON.stringify(audit)).not.toContain('s3cret');
    requireAuth = null;
  }, 30_000);

  it('refuses a server off this machine unless allowed, before sending anything', async () => {
    const pacs = (await host.call('settings.get', {})).pacs;
    await host.call('settings.set', { pacs: { ...pacs, url: 'http://pacs.hospital.example/dicom-web' } });
    await expect(host.call('pacs.search', { patientId: 'X' })).rejects.toThrow(/Refusing to reach the PACS at pacs\.hospital\.example/);
    await expect(host.call('pacs.retrieve', { studyInstanceUid: STUDY })).rejects.toThrow(/pacs\.allowRemote/);
    await host.call('settings.set', { pacs: { ...pacs, url: '' } });
    await expect(host.call('pacs.search', {})).rejects.toThrow(/No PACS is set up/);
  });
});
