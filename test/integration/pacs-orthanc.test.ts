import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempHome } from '../support/cli.js';
import { bitstreamOf, TS, writeDicomVideo } from '../support/dicom.js';
import { syntheticVideo } from '../support/media.js';
import { findOrthanc, startOrthanc, type RunningOrthanc } from '../support/orthanc.js';

/*
 * A real PACS: Debian's Orthanc with its DICOMweb plugin, started on a free loopback port with a
 * throw-away storage folder. A tower's recording is stored in it, then searched, retrieved into a
 * case, asked, exported de-identified and sent back; Orthanc is asked what it keeps of the clip.
 */

const found = findOrthanc();
const STUDY = '1.2.826.0.1.3680043.10.1100.77';
const SERIES = `${STUDY}.1`;
const SOP = `${SERIES}.1`;
const PATIENT = /Doe|Jane|PAT-0042|19700101|Example Hospital/i;

describe.skipIf('missing' in found)(`the PACS over DICOMweb, with Orthanc${'missing' in found ? ` (skipped: ${found.missing})` : ''}`, () => {
  let home: string;
  let orthanc: RunningOrthanc;
  let caseId: string;
  let plainClip: string;
  let deidClip: string;
  const data = () => join(home, 'data');
  const cli = (args: string[], timeoutMs = 300_000) => runCli(args, { home: data(), timeoutMs });

  beforeAll(async () => {
    if ('missing' in found) return;
    home = tempHome();
    orthanc = await startOrthanc(found);
    const video = await syntheticVideo({ duration: 40, width: 320, height: 240, fps: 25, gop: 2, events: [{ kind: 'bleeding', start: 14, end: 26 }], seed: 61 });
    const bits = await bitstreamOf(video, 'h264', join(home, 'tower.ts'));
    const file = writeDicomVideo(join(home, 'tower', 'IM000001'), {
      bitstream: bits, transferSyntax: TS.h264, studyUid: STUDY, seriesUid: SERIES, sopUid: SOP, rows: 240, columns: 320, frames: 1000, studyDate: '20240502',
    });
    // The tower stores its recording in the PACS.
    const stored = await orthanc.rest('/instances', { method: 'POST', body: readFileSync(file) });
    expect(stored.status, await stored.clone().text()).toBe(200);
    const set = await cli(['settings', 'set', `pacs.url=${orthanc.dicomweb}`]);
    expect(set.code, set.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await orthanc?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('finds the study by patient ID, name and date, and only with the modalities asked for', async () => {
    const byId = json<{ server: string; studies: { studyInstanceUid: string; patientName: string; modalities: string[]; inLibrary: string[] }[] }>(await cli(['pacs', 'search', '--patient', 'PAT-0042', '--json']));
    expect(byId.server).toBe(new URL(orthanc.url).host);
    expect(byId.studies).toEqual([expect.objectContaining({ studyInstanceUid: STUDY, patientName: 'Doe^Jane', modalities: ['ES'], inLibrary: [] })]);
    expect(json<{ studies: unknown[] }>(await cli(['pacs', 'search', '--name', 'Doe*', '--date', '20240501-20240503', '--json'])).studies).toHaveLength(1);
    expect(json<{ studies: unknown[] }>(await cli(['pacs', 'search', '--date', '20230101', '--json'])).studies).toHaveLength(0);
    expect(json<{ studies: unknown[] }>(await cli(['pacs', 'search', '--patient', 'PAT-0042', '--modality', 'US', '--json'])).studies).toHaveLength(0);
    const table = await cli(['pacs', 'search', '--patient', 'PAT-0042']);
    expect(table.stdout).toContain(STUDY);
    expect(await cli(['pacs', 'search', '--date', 'last week'])).toMatchObject({ code: 2 });
  }, 120_000);

  it('retrieves the study into an indexed case, named by the study, and fetches nothing twice', async () => {
    const r = await cli(['pacs', 'get', STUDY, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ caseId: string; name: string; duration: number; parts: { dicom: { sopInstanceUid: string; path: string } }[]; index: { state: string } }>(r);
    caseId = out.caseId;
    expect(out.name).toBe('ES · Colonoscopy · 2024-05-02');
    expect(out.duration).toBe(40);
    expect(out.index.state).toBe('done');
    expect(out.parts[0]!.dicom.path).toBe(join(data(), 'pacs', STUDY, SERIES, `${SOP}.dcm`));
    expect(r.stdout).not.toMatch(PATIENT);
    const again = json<{ files: { outcome: string }[] }>(await cli(['pacs', 'get', STUDY, '--json']));
    expect(again.files.map((f) => f.outcome)).toEqual(['duplicate']);
    const audit = json<{ action: string; detail: { fetched?: number } }[]>(await cli(['audit', '--json']));
    const retrievals = audit.filter((i) => i.action === 'pacs.retrieve').map((i) => i.detail.fetched);
    expect(retrievals.sort()).toEqual([0, 1]);
    expect(JSON.stringify(audit)).not.toMatch(PATIENT);
    const searched = json<{ studies: { inLibrary: string[] }[] }>(await cli(['pacs', 'search', '--patient', 'PAT-0042', '--json']));
    expect(searched.studies[0]!.inLibrary).toEqual([caseId]);
  }, 300_000);

  it('answers a question about the retrieved case', async () => {
    const r = await cli(['ask', caseId, 'When does the bleeding start?', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const answer = json<{ outcome: string; evidence: { start: number; end: number }[] }>(r);
    expect(answer.outcome).toBe('answered');
    // The best window overlaps the bleeding the generator drew at 14–26 s.
    expect(answer.evidence.length, r.stdout).toBeGreaterThan(0);
    const best = answer.evidence[0]!;
    expect(best.start < 26 && best.end > 14, `${best.start}–${best.end}`).toBe(true);
  }, 300_000);

  it('sends a de-identified clip back as a DICOM video without patient attributes, and refuses one that is not', async () => {
    deidClip = join(home, 'teaching.mp4');
    const exported = await cli(['export', caseId, '--start', '12', '--end', '18', '--out', deidClip, '--captions', 'none', '--deidentify', '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const manifest = readFileSync(join(home, 'teaching.json'), 'utf8');
    expect(manifest).not.toMatch(PATIENT);
    const sent = await cli(['pacs', 'send', deidClip, '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    const r = json<{ sopInstanceUid: string; studyInstanceUid: string }>(sent);
    expect(r.studyInstanceUid).not.toBe(STUDY);

    const lookup = await orthanc.rest('/tools/find', { method: 'POST', body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: r.sopInstanceUid } }) });
    const ids = (await lookup.json()) as string[];
    expect(ids).toHaveLength(1);
    const tags = (await (await orthanc.rest(`/instances/${ids[0]}/tags?simplify`)).json()) as Record<string, unknown>;
    for (const tag of ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'InstitutionName', 'OtherPatientIDs']) expect(tags[tag] ?? '', tag).toBe('');
    expect(JSON.stringify(tags)).not.toMatch(PATIENT);
    expect(tags).toMatchObject({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.1.1', PatientIdentityRemoved: 'YES', Modality: 'ES' });
    expect(tags.StudyInstanceUID).toBe(r.studyInstanceUid);
    const syntax = await (await orthanc.rest(`/instances/${ids[0]}/metadata/TransferSyntax`)).text();
    expect(syntax).toBe(TS.h264);

    // The stored clip opens again as a recording.
    const back = await cli(['pacs', 'get', r.studyInstanceUid, '--json', '--no-index']);
    expect(back.code, back.stderr).toBe(0);
    expect(json<{ duration: number; parts: { codec: string }[] }>(back)).toMatchObject({ duration: 6, parts: [{ codec: 'h264' }] });

    plainClip = join(home, 'plain.mp4');
    expect((await cli(['export', caseId, '--start', '12', '--end', '14', '--out', plainClip, '--captions', 'none'])).code).toBe(0);
    const refused = await cli(['pacs', 'send', plainClip]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/plain\.mp4 is not de-identified, so it is not sent/);
  }, 600_000);

  it('says clearly when the PACS is not there, refuses, or is not this machine', async () => {
    await cli(['settings', 'set', `pacs.url=${orthanc.url}/no-such-root`]);
    const notFound = await cli(['pacs', 'search', '--patient', 'X']);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(/HTTP 404.*DICOMweb root/);
    await cli(['settings', 'set', 'pacs.url=http://pacs.example.org/dicom-web']);
    const remote = await cli(['pacs', 'search', '--patient', 'X']);
    expect(remote.stderr).toMatch(/Refusing to reach the PACS at pacs\.example\.org.*pacs\.allowRemote/);
    await cli(['settings', 'set', `pacs.url=${orthanc.dicomweb}`]);
    await orthanc.stop();
    const down = await cli(['pacs', 'get', STUDY]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot be reached \(connection refused\)/);
  }, 120_000);
});
