import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import { mediaPath } from '../../main/core/contract/media-paths.js';
import { runFfprobe } from '../../main/node/ffmpeg/run.js';
import type { AppHost } from '../../main/host/app-host.js';
import { tempHome } from '../support/cli.js';
import { importCase, testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';

const base = { duration: 8, width: 480, height: 270, fps: 25, gop: 1, events: [] as never[] };

async function durationOf(file: string): Promise<number> {
  const { stdout } = await runFfprobe(['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { timeoutMs: 30_000 });
  return Number(stdout.toString().trim());
}

async function body(stream: NodeJS.ReadableStream | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (!stream) return Buffer.alloc(0);
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('recordings the player cannot decode play through a proxy', () => {
  let home: string;
  let host: AppHost;

  beforeAll(() => {
    home = tempHome();
    host = testHost(home);
  });
  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  for (const [label, spec] of [
    ['MPEG-2 in a transport stream', { ...base, codec: 'mpeg2' as const, container: 'ts' as const, seed: 41 }],
    ['MJPEG in AVI', { ...base, codec: 'mjpeg' as const, container: 'avi' as const, seed: 42 }],
    ['H.264 in a transport stream (remuxed)', { ...base, codec: 'h264' as const, container: 'ts' as const, seed: 43 }],
  ] as const) {
    it(label, async () => {
      const caseId = await importCase(host, [await syntheticVideo(spec)]);
      const detail = (await host.call('cases.get', { caseId })) as CaseDetail;
      expect(detail.index.state, detail.index.message).toBe('done');
      const part = detail.parts[0]!;
      expect(part.playback).toBe('proxy');
      const served = host.media.resolve(mediaPath.part(part.id))!;
      expect(served.file).not.toBe(part.path);
      expect(existsSync(served.file)).toBe(true);
      expect(Math.abs((await durationOf(served.file)) - part.duration)).toBeLessThan(0.1);
      // Frames still come from the original.
      const frame = (await host.call('frames.get', { caseId, time: 3 })) as { width: number; height: number };
      expect(frame).toMatchObject({ width: 480, height: 270 });
    }, 300_000);
  }

  it('serves a recording with correct Range handling', async () => {
    const caseId = await importCase(host, [await syntheticVideo({ ...base, seed: 44 })], false);
    const part = ((await host.call('cases.get', { caseId })) as CaseDetail).parts[0]!;
    expect(part.playback).toBe('direct');
    const path = mediaPath.part(part.id);
    const whole = host.media.respond(path, undefined);
    expect(whole.status).toBe(200);
    expect(Number(whole.headers['content-length'])).toBe(part.size);
    whole.body?.destroy();
    const r = host.media.respond(path, 'bytes=100-199');
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes 100-199/${part.size}`);
    expect((await body(r.body)).length).toBe(100);
    const tail = host.media.respond(path, 'bytes=-10');
    expect(tail.headers['content-range']).toBe(`bytes ${part.size - 10}-${part.size - 1}/${part.size}`);
    tail.body?.destroy();
    const bad = host.media.respond(path, `bytes=${part.size}-`);
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe(`bytes */${part.size}`);
    expect(host.media.respond(mediaPath.part('unknownpart1'), undefined).status).toBe(404);
  });
});
