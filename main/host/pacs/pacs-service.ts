import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { jsonItems, jsonNumber, jsonText, jsonTexts, TAG, type DicomJson } from '../../core/dicom/dicom-json.js';
import { VIDEO_SOP_CLASSES } from '../../core/dicom/transfer-syntax.js';
import type { PacsDone, PacsProgress, PacsSearchResult, PacsSendResult, PacsStudy } from '../../core/contract/pacs-schemas.js';
import type { ImportResult, PacsSettings } from '../../core/contract/schemas.js';
import { OpscopeError, serializeError } from '../../core/errors.js';
import { inputPath, runFfmpeg, runFfprobe } from '../../node/ffmpeg/run.js';
import { teachingClipDicom } from '../../node/dicom/write-video.js';
import { newId } from '../../node/ids.js';
import type { DataLayout } from '../../node/paths.js';
import { isLoopbackHost } from '../agent/backends/openai-url.js';
import type { ImportService } from '../cases/import-service.js';
import type { EventBus } from '../event-bus.js';
import type { Store } from '../store/store.js';
import type { DicomRecords } from './dicom-repository.js';
import { DicomwebClient } from './dicomweb.js';

export interface PacsDeps {
  store: Store;
  layout: DataLayout;
  bus: EventBus;
  imports: ImportService;
  settings: () => PacsSettings;
  enqueueIndex: (caseId: string) => void;
  actor: () => string;
}

interface Running {
  abort: AbortController;
  done: Promise<PacsDone>;
}

const UID = /^[0-9.]{1,64}$/;
const KEEP_FINISHED = 50;

/** The PACS a setting names, or why it cannot be used (not set up; off this machine without the opt-in). */
export function pacsClient(s: PacsSettings): DicomwebClient {
  if (!s.url) {
    throw new OpscopeError('unavailable', 'No PACS is set up: set its DICOMweb address in Settings → PACS (pacs.url), e.g. http://127.0.0.1:8042/dicom-web.');
  }
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    throw new OpscopeError('invalid-input', `The PACS address "${s.url}" is not a URL (e.g. http://127.0.0.1:8042/dicom-web).`);
  }
  if (!isLoopbackHost(url.hostname) && !s.allowRemote) {
    throw new OpscopeError(
      'unavailable',
      `Refusing to reach the PACS at ${url.host}: it is not this machine, so patient recordings would cross the network. If that server is the hospital's PACS and approved for this, set pacs.allowRemote to true (Settings → PACS).`,
    );
  }
  url.search = '';
  url.hash = '';
  return new DicomwebClient(url.toString().replace(/\/+$/, ''), s.auth, s.timeoutMs);
}

/**
 * The hospital's PACS over DICOMweb: search (QIDO-RS), retrieve into the data folder and import
 * (WADO-RS; an instance is fetched once, known by its UIDs), and send de-identified teaching
 * clips back (STOW-RS).
 */
export class PacsService {
  private readonly running = new Map<string, Running>();
  private readonly finished = new Map<string, PacsDone>();
  private readonly dicom: DicomRecords;

  constructor(private readonly d: PacsDeps) {
    this.dicom = d.store.dicom;
  }

  async search(input: { patientId?: string | undefined; patientName?: string | undefined; studyDate?: string | undefined; modalities?: string[] | undefined; limit: number }): Promise<PacsSearchResult> {
    const s = this.d.settings();
    const client = pacsClient(s);
    const base: Record<string, string | string[]> = {
      limit: String(input.limit),
      includefield: [TAG.StudyDescription, TAG.ModalitiesInStudy, TAG.NumberOfStudyRelatedSeries, TAG.NumberOfStudyRelatedInstances, TAG.PatientBirthDate],
    };
    if (input.patientId) base.PatientID = input.patientId;
    if (input.patientName) base.PatientName = input.patientName;
    if (input.studyDate) base.StudyDate = input.studyDate;
    // One search per modality: servers differ on matching several values at once.
    const found = new Map<string, DicomJson>();
    for (const modality of input.modalities ?? s.modalities) {
      for (const study of await client.search('/studies', { ...base, ModalitiesInStudy: modality })) {
        const uid = jsonText(study, TAG.StudyInstanceUID);
        if (uid && !found.has(uid)) found.set(uid, study);
      }
    }
    const studies: PacsStudy[] = [...found.entries()].map(([uid, j]) => ({
      studyInstanceUid: uid,
      studyDate: jsonText(j, TAG.StudyDate),
      studyTime: jsonText(j, TAG.StudyTime),
      studyDescription: jsonText(j, TAG.StudyDescription),
      accessionNumber: jsonText(j, TAG.AccessionNumber),
      modalities: jsonTexts(j, TAG.ModalitiesInStudy),
      patientName: jsonText(j, TAG.PatientName),
      patientId: jsonText(j, TAG.PatientID),
      patientBirthDate: jsonText(j, TAG.PatientBirthDate),
      series: jsonNumber(j, TAG.NumberOfStudyRelatedSeries),
      instances: jsonNumber(j, TAG.NumberOfStudyRelatedInstances),
      inLibrary: this.dicom.casesOfStudy(uid),
    }));
    studies.sort((a, b) => `${b.studyDate ?? ''}${b.studyTime ?? ''}`.localeCompare(`${a.studyDate ?? ''}${a.studyTime ?? ''}`));
    return { server: client.host, studies: studies.slice(0, input.limit) };
  }

  /** Starts a retrieval; its outcome comes as `pacs.done` and from `wait`. */
  retrieve(input: { studyInstanceUid: string; seriesInstanceUid?: string | undefined; index: boolean }): { retrievalId: string } {
    const client = pacsClient(this.d.settings());
    const retrievalId = newId();
    const abort = new AbortController();
    const done = this.run(retrievalId, client, input, abort.signal).then((outcome) => {
      this.running.delete(retrievalId);
      this.finished.set(retrievalId, outcome);
      for (const k of [...this.finished.keys()].slice(0, Math.max(0, this.finished.size - KEEP_FINISHED))) this.finished.delete(k);
      this.d.bus.emit('pacs.done', outcome);
      return outcome;
    });
    this.running.set(retrievalId, { abort, done });
    return { retrievalId };
  }

  async wait(retrievalId: string): Promise<PacsDone> {
    const r = this.running.get(retrievalId);
    if (r) return r.done;
    const f = this.finished.get(retrievalId);
    if (f) return f;
    throw new OpscopeError('not-found', 'No such retrieval is running or ended recently.');
  }

  cancel(retrievalId: string): { canceled: boolean } {
    const r = this.running.get(retrievalId);
    if (!r) return { canceled: false };
    r.abort.abort();
    return { canceled: true };
  }

  async close(): Promise<void> {
    for (const r of this.running.values()) r.abort.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  /** Where an instance is kept: pacs/<study>/<series>/<sop>.dcm in the data folder. */
  cachePath(study: string, series: string, sop: string): string {
    for (const uid of [study, series, sop]) if (!UID.test(uid)) throw new OpscopeError('unavailable', `The PACS listed "${uid.slice(0, 70)}", which is not a DICOM UID.`);
    return join(this.d.layout.pacs, study, series, `${sop}.dcm`);
  }

  private async run(retrievalId: string, client: DicomwebClient, input: { studyInstanceUid: string; seriesInstanceUid?: string | undefined; index: boolean }, signal: AbortSignal): Promise<PacsDone> {
    const study = input.studyInstanceUid;
    const errors: PacsDone['errors'] = [];
    const progress: PacsProgress = { retrievalId, studyInstanceUid: study, stage: 'listing', instancesDone: 0, instancesTotal: 0, instancesCached: 0, bytes: 0, instanceBytes: null, instanceTotal: null };
    let lastEmit = 0;
    const emit = (force = false) => {
      const now = Date.now();
      if (!force && now - lastEmit < 100) return;
      lastEmit = now;
      this.d.bus.emit('pacs.progress', { ...progress });
    };
    const files: string[] = [];
    try {
      emit(true);
      const path = input.seriesInstanceUid ? `/studies/${study}/series/${input.seriesInstanceUid}/instances` : `/studies/${study}/instances`;
      const listed = await client.search(path, { includefield: [TAG.SOPClassUID, TAG.SeriesInstanceUID, TAG.InstanceNumber] }, signal);
      const instances = listed
        .map((j) => ({ sop: jsonText(j, TAG.SOPInstanceUID), series: jsonText(j, TAG.SeriesInstanceUID) ?? input.seriesInstanceUid ?? null, sopClass: jsonText(j, TAG.SOPClassUID) }))
        .filter((i): i is { sop: string; series: string; sopClass: string | null } => Boolean(i.sop && i.series));
      // Only videos are fetched; a study's still images and reports are not Opscope's.
      const videos = instances.filter((i) => i.sopClass === null || i.sopClass in VIDEO_SOP_CLASSES);
      const skipped = instances.length - videos.length;
      if (videos.length === 0) {
        throw new OpscopeError('not-found', instances.length ? `Study ${study} on ${client.host} has no video instance (only ${instances.length} other object(s)).` : `Study ${study} is not on ${client.host}, or it has no instances.`);
      }
      progress.stage = 'retrieving';
      progress.instancesTotal = videos.length;
      emit(true);
      for (const inst of videos) {
        if (signal.aborted) break;
        const out = this.cachePath(study, inst.series, inst.sop);
        if (existsSync(out)) {
          progress.instancesCached++;
        } else {
          await mkdir(dirname(out), { recursive: true });
          try {
            const before = progress.bytes;
            await client.retrieveInstance(study, inst.series, inst.sop, out, (p) => {
              progress.instanceBytes = p.bytes;
              progress.instanceTotal = p.total;
              progress.bytes = before + p.bytes;
              emit();
            }, signal);
          } catch (err) {
            const e = serializeError(err);
            if (e.code === 'canceled' || signal.aborted) break;
            errors.push({ sopInstanceUid: inst.sop, message: e.message });
            // A server that is gone fails every instance the same way: say it once.
            if (e.code === 'unavailable' && /cannot be reached|is not known here/.test(e.message)) break;
            continue;
          }
        }
        files.push(out);
        progress.instancesDone++;
        progress.instanceBytes = null;
        progress.instanceTotal = null;
        emit(true);
      }
      if (signal.aborted) {
        return { retrievalId, studyInstanceUid: study, outcome: 'canceled', results: [], errors, message: `Stopped after ${progress.instancesDone} of ${progress.instancesTotal} instance(s); those are kept and are not fetched again.` };
      }
      progress.stage = 'importing';
      emit(true);
      const results: ImportResult[] = files.length ? await this.d.imports.import({ paths: files, mode: 'one-case' }) : [];
      if (input.index) for (const r of results) if (r.caseId) this.d.enqueueIndex(r.caseId);
      const caseIds = [...new Set(results.flatMap((r) => (r.caseId ? [r.caseId] : r.files.map((f) => f.caseId))))];
      this.d.store.audit(this.d.actor(), 'pacs.retrieve', null, { server: client.host, studyInstanceUid: study, instances: files.length, fetched: files.length - progress.instancesCached, failed: errors.length, caseIds });
      const ok = results.some((r) => r.caseId || r.files.length);
      return {
        retrievalId,
        studyInstanceUid: study,
        outcome: ok ? 'done' : 'failed',
        results,
        errors,
        ...(skipped ? { message: `${skipped} instance(s) that are not video were not retrieved.` } : ok ? {} : { message: errors[0]?.message ?? results[0]?.errors[0]?.message ?? 'Nothing was imported.' }),
      };
    } catch (err) {
      const e = serializeError(err);
      if (e.code === 'canceled' || signal.aborted) return { retrievalId, studyInstanceUid: study, outcome: 'canceled', results: [], errors, message: 'Stopped; what was complete is kept.' };
      return { retrievalId, studyInstanceUid: study, outcome: 'failed', results: [], errors, message: e.message };
    }
  }

  /**
   * Sends a teaching clip Opscope exported de-identified (its manifest says so) as a DICOM video
   * in a new study: new UIDs, no patient attribute, H.264 in an MPEG-2 transport stream.
   */
  async send(clip: string, signal?: AbortSignal): Promise<PacsSendResult> {
    const name = basename(clip);
    const manifestPath = join(dirname(clip), `${basename(clip, extname(clip))}.json`);
    let manifest: { format?: unknown; deidentification?: { applied?: unknown }; clip?: { file?: unknown } };
    try {
      manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as typeof manifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (!existsSync(clip)) throw new OpscopeError('not-found', `${name} was not found.`);
        throw new OpscopeError('invalid-input', `${name} has no manifest (${basename(manifestPath)}) beside it: only a clip Opscope exported, with its manifest, can be sent.`);
      }
      throw new OpscopeError('invalid-input', `${basename(manifestPath)} is not a clip manifest Opscope wrote.`);
    }
    if (manifest.format !== 'opscope-clip/1' || manifest.clip?.file !== name) {
      throw new OpscopeError('invalid-input', `${basename(manifestPath)} is not the manifest of ${name}.`);
    }
    if (manifest.deidentification?.applied !== true) {
      throw new OpscopeError('invalid-input', `${name} is not de-identified, so it is not sent: export it again with De-identify (opscope export --deidentify).`);
    }
    if (!existsSync(clip)) throw new OpscopeError('not-found', `${name} was not found.`);
    // The clip is checked before the server, so a wrong file is said as such even with no PACS set.
    const client = pacsClient(this.d.settings());
    const { stdout } = await runFfprobe(['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=codec_name,width,height,avg_frame_rate,nb_read_packets', '-of', 'json', inputPath(clip)], {
      timeoutMs: 60_000,
      ...(signal ? { signal } : {}),
      purpose: `reading ${name}`,
    });
    const stream = (JSON.parse(stdout.toString('utf8')) as { streams?: { codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; nb_read_packets?: string }[] }).streams?.[0];
    if (!stream) throw new OpscopeError('unsupported-media', `${name} has no video.`);
    if (stream.codec_name !== 'h264') {
      throw new OpscopeError('unsupported-media', `${name} is ${stream.codec_name ?? 'not'} H.264 (a fast-mode copy of the original's video): export it without fast mode to send it.`);
    }
    const [num, den] = (stream.avg_frame_rate ?? '25/1').split('/').map(Number) as [number, number];
    const fps = den > 0 && num > 0 ? num / den : 25;
    const { stdout: ts } = await runFfmpeg(['-v', 'error', '-i', inputPath(clip), '-map', '0:v:0', '-c', 'copy', '-bsf:v', 'h264_mp4toannexb', '-map_metadata', '-1', '-f', 'mpegts', 'pipe:1'], {
      timeoutMs: 10 * 60_000,
      maxStdoutBytes: 8 * 1024 ** 3,
      ...(signal ? { signal } : {}),
      purpose: `preparing ${name} for the PACS`,
    });
    const now = new Date();
    const stamp = now.toISOString();
    const dicom = teachingClipDicom({
      transportStream: new Uint8Array(ts.buffer, ts.byteOffset, ts.byteLength),
      width: stream.width ?? 0,
      height: stream.height ?? 0,
      frames: Number(stream.nb_read_packets) || 1,
      fps,
      date: stamp.slice(0, 10).replace(/-/g, ''),
      time: stamp.slice(11, 19).replace(/:/g, ''),
      description: 'Opscope teaching clip',
    });
    const answer = await client.store([dicom.bytes], signal);
    const failed = jsonItems(answer, TAG.FailedSOPSequence);
    if (failed.length) {
      const reason = jsonNumber(failed[0]!, TAG.FailureReason);
      throw new OpscopeError('unavailable', `The PACS at ${client.host} refused to store the clip${reason !== null ? ` (failure reason ${reason.toString(16).toUpperCase()}H)` : ''}.`);
    }
    const stored = jsonItems(answer, TAG.ReferencedSOPSequence).some((i) => jsonText(i, TAG.ReferencedSOPInstanceUID) === dicom.sopInstanceUid);
    if (!stored) throw new OpscopeError('unavailable', `The PACS at ${client.host} did not confirm that it stored the clip.`);
    this.d.store.audit(this.d.actor(), 'pacs.send', null, { server: client.host, sopInstanceUid: dicom.sopInstanceUid, studyInstanceUid: dicom.studyInstanceUid, bytes: dicom.bytes.byteLength });
    return { server: client.host, studyInstanceUid: dicom.studyInstanceUid, seriesInstanceUid: dicom.seriesInstanceUid, sopInstanceUid: dicom.sopInstanceUid, bytes: dicom.bytes.byteLength };
  }

  /** The patient of a case, for the user who asked to see it; every look is in the audit log. */
  patientOf(caseId: string) {
    const p = this.dicom.patientOf(caseId);
    if (p) this.d.store.audit(this.d.actor(), 'patient.view', caseId, {});
    return p;
  }
}
