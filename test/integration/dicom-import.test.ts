import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameIndexAt } from '../../main/core/case-time.js';
import { runFfprobe } from '../../main/node/ffmpeg/run.js';
import { decodeFrameCode } from '../../main/node/synthetic/index.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { bitstreamOf, ENDOSCOPIC, TS, writeDicomdir, writeDicomVideo } from '../support/dicom.js';
import { decodeRgb, frameTimestamps, syntheticVideo } from '../support/media.js';

interface ImportJson {
  caseId: string | null;
  name: string | null;
  duration: number;
  parts: { path: string; duration: number; codec: string; dicom?: { path: string; sopInstanceUid: string } }[];
  errors: { path: string; message: string }[];
  files: { path: string; caseId: string; outcome: string }[];
  cases?: { caseId: string; name: string; duration: number }[];
}

const STUDY = '1.2.826.0.1.3680043.10.1100.1';
const SERIES_A = `${STUDY}.1`;
const SERIES_B = `${STUDY}.2`;

describe('DICOM video files open like any recording', () => {
  let home: string;
  let medium: string;
  let h264a: string;
  let h264b: string;
  let mpeg2: string;

  beforeAll(async () => {
    home = tempHome();
    medium = join(home, 'usb');
    h264a = await syntheticVideo({ duration: 6, width: 320, height: 240, fps: 25, gop: 2, events: [], frameCode: true, seed: 51 });
    h264b = await syntheticVideo({ duration: 4, width: 320, height: 240, fps: 25, gop: 2, events: [], frameCode: true, seed: 52 });
    mpeg2 = await syntheticVideo({ duration: 5, width: 352, height: 288, fps: 25, gop: 1, events: [], frameCode: true, codec: 'mpeg2', seed: 53 });
    const a = await bitstreamOf(h264a, 'h264', join(home, 'a.ts'));
    const b = await bitstreamOf(h264b, 'h264', join(home, 'b.ts'));
    const m = await bitstreamOf(mpeg2, 'mpeg2', join(home, 'm.mpg'));
    // A two-part series written in the opposite order of its acquisition: instance 2 was recorded first.
    const files = [
      { file: join(medium, 'DICOM', 'IM000001'), sopUid: `${SERIES_A}.1`, studyUid: STUDY, seriesUid: SERIES_A },
      { file: join(medium, 'DICOM', 'IM000002'), sopUid: `${SERIES_A}.2`, studyUid: STUDY, seriesUid: SERIES_A },
      { file: join(medium, 'DICOM', 'IM000003'), sopUid: `${SERIES_B}.1`, studyUid: STUDY, seriesUid: SERIES_B },
    ];
    writeDicomVideo(files[0]!.file, { bitstream: b, transferSyntax: TS.h264, studyUid: STUDY, seriesUid: SERIES_A, sopUid: files[0]!.sopUid, instanceNumber: 1, acquisitionDateTime: '20240502103000', rows: 240, columns: 320, frames: 100 });
    writeDicomVideo(files[1]!.file, { bitstream: a, transferSyntax: TS.h264, studyUid: STUDY, seriesUid: SERIES_A, sopUid: files[1]!.sopUid, instanceNumber: 2, acquisitionDateTime: '20240502102000', rows: 240, columns: 320, frames: 150 });
    writeDicomVideo(files[2]!.file, { bitstream: m, transferSyntax: TS.mpeg2, studyUid: STUDY, seriesUid: SERIES_B, sopUid: files[2]!.sopUid, seriesNumber: 2, rows: 288, columns: 352, frames: 125 });
    writeDicomdir(medium, files);
  }, 600_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const data = () => join(home, 'data');

  it('imports a DICOMDIR as one case per series, parts in acquisition order, named by the study', async () => {
    const r = await runCli(['import', medium, '--json', '--no-index'], { home: data() });
    expect(r.code, r.stderr).toBe(0);
    const out = json<ImportJson>(r);
    expect(out.errors).toEqual([]);
    expect(out.cases?.map((c) => c.name)).toEqual(['ES · Colonoscopy · 2024-05-02 · series 1', 'ES · Colonoscopy · 2024-05-02 · series 2']);
    // Series 1: the 6 s instance (acquired first) then the 4 s one.
    expect(out.parts.map((p) => p.dicom?.sopInstanceUid)).toEqual([`${SERIES_A}.2`, `${SERIES_A}.1`]);
    expect(out.parts.map((p) => p.duration)).toEqual([6, 4]);
    expect(out.duration).toBe(10);
    expect(out.parts.every((p) => p.codec === 'h264' && p.dicom?.path.startsWith(medium))).toBe(true);
    const series2 = out.cases![1]!;
    expect(series2.duration).toBe(5);
    // Every file of the medium is accounted for.
    expect(out.files.map((f) => f.outcome)).toEqual(['imported', 'imported', 'imported']);
  }, 300_000);

  it('shows frame-accurate frames of the encapsulated streams (H.264 in MPEG-TS, MPEG-2 program stream)', async () => {
    const cases = json<{ caseId: string; name: string }[]>(await runCli(['cases', '--json'], { home: data() }));
    const byName = (suffix: string) => cases.find((c) => c.name.endsWith(suffix))!.caseId;
    const check = async (caseId: string, source: string, offset: number, times: number[]) => {
      const pts = await frameTimestamps(source);
      for (const t of times) {
        const png = join(home, `f-${caseId}-${t}.png`);
        const r = await runCli(['frame', caseId, String(offset + t), '--out', png, '--json'], { home: data() });
        expect(r.code, r.stderr).toBe(0);
        const rgb = await decodeRgb(png);
        expect(decodeFrameCode(rgb.data, rgb.width, rgb.height), `${source} at ${t}`).toBe(frameIndexAt(pts.map((p) => p - pts[0]!), t));
      }
    };
    // The second part of series 1 begins at 6 s of case time.
    await check(byName('series 1'), h264a, 0, [0, 1.02, 3.5, 5.96]);
    await check(byName('series 1'), h264b, 6, [0.04, 2.5]);
    await check(byName('series 2'), mpeg2, 0, [0, 2.48, 4.96]);
  }, 300_000);

  it('keeps the patient out of case names and the audit log, and in a table of its own', async () => {
    const cases = await runCli(['cases', '--json'], { home: data() });
    expect(cases.stdout).not.toMatch(/Doe|Jane|PAT-0042|19700101|Example Hospital/i);
    const audit = await runCli(['audit', '--json', '--limit', '1000'], { home: data() });
    expect(audit.stdout).not.toMatch(/Doe|Jane|PAT-0042|19700101|Example Hospital/i);
    const db = new Database(join(data(), 'opscope.db'), { readonly: true });
    try {
      const patients = db.prepare('SELECT name, patient_id, birth_date, institution FROM case_patients').all();
      expect(patients).toEqual([
        { name: 'Doe^Jane', patient_id: 'PAT-0042', birth_date: '19700101', institution: 'St. Example Hospital' },
        { name: 'Doe^Jane', patient_id: 'PAT-0042', birth_date: '19700101', institution: 'St. Example Hospital' },
      ]);
      const parts = db.prepare('SELECT file_name FROM parts ORDER BY file_name').all() as { file_name: string }[];
      expect(parts.map((p) => p.file_name)).toEqual(['IM000001', 'IM000002', 'IM000003']);
    } finally {
      db.close();
    }
  });

  it('keeps the patient out of answers, clip manifests, the clip itself and the training set', async () => {
    const PATIENT = /Doe|Jane|PAT-0042|19700101|Example Hospital/i;
    const cases = json<{ caseId: string; name: string }[]>(await runCli(['cases', '--json'], { home: data() }));
    const caseId = cases.find((c) => c.name.endsWith('series 1'))!.caseId;
    const ask = await runCli(['ask', caseId, 'When does the bleeding start?', '--json'], { home: data() });
    expect(ask.stdout).not.toMatch(PATIENT);
    const clip = join(home, 'teaching.mp4');
    const exported = await runCli(['export', caseId, '--start', '1', '--end', '3', '--out', clip, '--json'], { home: data() });
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(join(home, 'teaching.json'), 'utf8')).not.toMatch(PATIENT);
    // Nothing in the container either: the tags ffprobe sees.
    const tags = await runFfprobe(['-v', 'error', '-show_entries', 'format_tags:stream_tags', '-of', 'json', clip], { timeoutMs: 30_000 });
    expect(tags.stdout.toString('utf8')).not.toMatch(PATIENT);
    const training = join(home, 'training.jsonl');
    const set = await runCli(['export-feedback', '--out', training, '--json'], { home: data() });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + readFileSync(training, 'utf8')).not.toMatch(PATIENT);
  }, 300_000);

  it('imports each instance once: the same medium again, or a .dcm on its own, adds nothing', async () => {
    const again = json<ImportJson>(await runCli(['import', join(medium, 'DICOMDIR'), '--json', '--no-index'], { home: data() }));
    expect(again.files.map((f) => f.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    const copy = join(home, 'copied.dcm');
    copyFileSync(join(medium, 'DICOM', 'IM000003'), copy);
    const one = json<ImportJson>(await runCli(['import', copy, '--json', '--no-index'], { home: data() }));
    expect(one.files).toEqual([expect.objectContaining({ path: copy, outcome: 'duplicate' })]);
    expect(json<unknown[]>(await runCli(['cases', '--json'], { home: data() }))).toHaveLength(2);
  }, 120_000);

  it('opens HEVC in a transport stream, and a bare H.264 elementary stream, frame-accurately', async () => {
    const hevc = await syntheticVideo({ duration: 3, width: 320, height: 240, fps: 25, gop: 1, events: [], frameCode: true, codec: 'hevc', seed: 54 });
    const es = await syntheticVideo({ duration: 3, width: 320, height: 240, fps: 25, gop: 1, events: [], frameCode: true, seed: 55, quality: 'fast' });
    const dir = join(home, 'more');
    writeDicomVideo(join(dir, 'hevc.dcm'), { bitstream: await bitstreamOf(hevc, 'hevc', join(home, 'h.ts')), transferSyntax: TS.hevc, studyUid: '1.3.1', seriesUid: '1.3.1.1', sopUid: '1.3.1.1.1', rows: 240, columns: 320, frames: 75 });
    writeDicomVideo(join(dir, 'es.dcm'), { bitstream: await bitstreamOf(es, 'h264', join(home, 'e.h264'), 'es'), transferSyntax: TS.h264, studyUid: '1.3.2', seriesUid: '1.3.2.1', sopUid: '1.3.2.1.1', rows: 240, columns: 320, frames: 75 });
    const out = json<ImportJson>(await runCli(['import', dir, '--json', '--no-index'], { home: join(home, 'more-data') }));
    expect(out.errors).toEqual([]);
    expect(out.cases?.map((c) => c.duration)).toEqual([3, 3]);
    for (const [c, source] of [[out.cases![0]!, hevc], [out.cases![1]!, es]] as const) {
      const pts = await frameTimestamps(source);
      for (const t of [0.5, 2.9]) {
        const png = join(home, `more-${c.caseId}-${t}.png`);
        const r = await runCli(['frame', c.caseId, String(t), '--out', png], { home: join(home, 'more-data') });
        expect(r.code, r.stderr).toBe(0);
        const rgb = await decodeRgb(png);
        expect(decodeFrameCode(rgb.data, rgb.width, rgb.height)).toBe(frameIndexAt(pts.map((p) => p - pts[0]!), t));
      }
    }
  }, 300_000);

  it('gives bad DICOM files their own clear error and imports the good one beside them', async () => {
    const bad = join(home, 'bad');
    mkdirSync(bad);
    const good = readFileSync(join(medium, 'DICOM', 'IM000001'));
    // Cut short in the middle of the pixel data.
    writeFileSync(join(bad, 'truncated.dcm'), good.subarray(0, Math.floor(good.length * 0.6)));
    const bits = await bitstreamOf(h264b, 'h264', join(home, 'b2.ts'));
    writeDicomVideo(join(bad, 'jpeg-video.dcm'), { bitstream: bits, transferSyntax: TS.jpeg, studyUid: '1.2.3', seriesUid: '1.2.3.1', sopUid: '1.2.3.1.1', rows: 240, columns: 320, frames: 1 });
    writeDicomVideo(join(bad, 'still.dcm'), { bitstream: bits, transferSyntax: TS.jpeg, sopClassUid: '1.2.840.10008.5.1.4.1.1.7', studyUid: '1.2.4', seriesUid: '1.2.4.1', sopUid: '1.2.4.1.1', rows: 240, columns: 320, frames: 1 });
    writeDicomVideo(join(bad, 'not-h264.dcm'), { bitstream: Buffer.from('this is not a video stream at all, just text'.repeat(50)), transferSyntax: TS.h264, sopClassUid: ENDOSCOPIC, studyUid: '1.2.5', seriesUid: '1.2.5.1', sopUid: '1.2.5.1.1', rows: 240, columns: 320, frames: 1 });
    writeDicomVideo(join(bad, 'ok.dcm'), { bitstream: bits, transferSyntax: TS.h264, studyUid: '1.2.6', seriesUid: '1.2.6.1', sopUid: '1.2.6.1.1', rows: 240, columns: 320, frames: 100 });
    const r = await runCli(['import', bad, '--json', '--no-index'], { home: join(home, 'bad-data') });
    expect(r.code, r.stderr).toBe(0);
    const out = json<ImportJson>(r);
    const message = (name: string) => out.errors.find((e) => e.path.endsWith(name))?.message ?? '';
    expect(message('truncated.dcm')).toMatch(/truncated\.dcm.*(damaged or cut short|cut short)/);
    expect(message('jpeg-video.dcm')).toMatch(/JPEG Baseline.*does not open.*MPEG-2, H\.264 and HEVC/);
    expect(message('still.dcm')).toMatch(/holds no video.*1\.2\.840\.10008\.5\.1\.4\.1\.1\.7/);
    expect(message('not-h264.dcm')).toMatch(/not a MPEG-4 AVC\/H\.264.*bit stream/);
    expect(out.errors).toHaveLength(4);
    expect(out.files).toEqual([expect.objectContaining({ outcome: 'imported' })]);
    expect(out.duration).toBe(4);
  }, 300_000);
});
