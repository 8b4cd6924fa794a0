import { open, readFile, stat } from 'node:fs/promises';
import { constants as bufferConstants } from 'node:buffer';
import { basename } from 'node:path';
import dcmjs from 'dcmjs';
import { OpscopeError } from '../../core/errors.js';
import { frameRateOf } from '../../core/dicom/bitstream.js';
import type { DicomInstanceInfo, PatientDetails } from '../../core/dicom/instance.js';
import { describeSyntax, VIDEO_SOP_CLASSES, videoSyntax } from '../../core/dicom/transfer-syntax.js';

dcmjs.log.setLevel('error');
const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

type Natural = Record<string, unknown>;

/** Whether a file is DICOM Part 10: "DICM" after the 128-byte preamble. */
export async function isDicomFile(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 128);
    return bytesRead === 4 && buf.toString('latin1') === 'DICM';
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

function text(ds: Natural, key: string): string | null {
  const v = ds[key];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return null;
  if (typeof first === 'object') {
    const pn = first as { Alphabetic?: string };
    return typeof pn.Alphabetic === 'string' && pn.Alphabetic.trim() ? pn.Alphabetic.trim() : null;
  }
  const s = String(first).replace(/\0/g, '').trim();
  return s === '' ? null : s;
}

function num(ds: Natural, key: string): number | null {
  const t = text(ds, key);
  const n = t === null ? NaN : Number(t);
  return Number.isFinite(n) ? n : null;
}

export function patientOf(ds: Natural): PatientDetails {
  return {
    name: text(ds, 'PatientName'),
    patientId: text(ds, 'PatientID'),
    birthDate: text(ds, 'PatientBirthDate'),
    sex: text(ds, 'PatientSex'),
    institution: text(ds, 'InstitutionName'),
  };
}

export interface ReadVideo {
  info: Omit<DicomInstanceInfo, 'media'>;
  /** The encapsulated bit stream, fragments joined. */
  bitstream: Uint8Array;
}

/**
 * Reads a DICOM video instance with dcmjs: its identity, the study facts, the patient, and the
 * bit stream from the pixel data. Anything that is not a video Opscope opens is refused with what
 * it is instead. The file is read whole (dcmjs parses buffers), so its size is bounded.
 */
export async function readDicomVideo(path: string): Promise<ReadVideo> {
  const name = basename(path);
  const st = await stat(path);
  if (st.size > bufferConstants.MAX_LENGTH) {
    throw new OpscopeError('unsupported-media', `${name} is ${(st.size / 1024 ** 3).toFixed(1)} GB: DICOM files over ${(bufferConstants.MAX_LENGTH / 1024 ** 3).toFixed(0)} GB cannot be read here.`);
  }
  const data = await readFile(path);
  let dict;
  try {
    dict = DicomMessage.readFile(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), { ignoreErrors: false });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new OpscopeError('unsupported-media', `${name} is not a readable DICOM file: it is damaged or cut short (${why.slice(0, 200)}).`);
  }
  if (!endsEncapsulation(data)) {
    throw new OpscopeError('unsupported-media', `${name} is cut short: its pixel data ends without the closing delimiter DICOM requires (the file was truncated while copying or recording).`);
  }
  const meta = DicomMetaDictionary.naturalizeDataset(dict.meta);
  const ds = DicomMetaDictionary.naturalizeDataset(dict.dict);
  const syntax = text(meta, 'TransferSyntaxUID') ?? '';
  const sopClassUid = text(ds, 'SOPClassUID') ?? text(meta, 'MediaStorageSOPClassUID') ?? '';
  const video = videoSyntax(syntax);
  if (!VIDEO_SOP_CLASSES[sopClassUid] && !video) {
    throw new OpscopeError('unsupported-media', `${name} holds no video: it is a DICOM object of SOP class ${sopClassUid || '(none)'} in ${describeSyntax(syntax)}. Opscope opens Video Endoscopic, Microscopic and Photographic Image Storage.`);
  }
  if (!video) {
    throw new OpscopeError('unsupported-media', `${name} is a DICOM video in ${describeSyntax(syntax)}, which Opscope does not open: it reads MPEG-2, H.264 and HEVC.`);
  }
  const pixels = ds.PixelData;
  const frames = Array.isArray(pixels) ? (pixels as ArrayBuffer[]).filter((f) => f instanceof ArrayBuffer) : [];
  const total = frames.reduce((s, f) => s + f.byteLength, 0);
  if (total === 0) throw new OpscopeError('unsupported-media', `${name} is a DICOM video without its video: the pixel data is missing or empty.`);
  const bitstream = new Uint8Array(total);
  let at = 0;
  for (const f of frames) {
    bitstream.set(new Uint8Array(f), at);
    at += f.byteLength;
  }
  const sopInstanceUid = text(ds, 'SOPInstanceUID') ?? text(meta, 'MediaStorageSOPInstanceUID');
  const studyInstanceUid = text(ds, 'StudyInstanceUID');
  const seriesInstanceUid = text(ds, 'SeriesInstanceUID');
  if (!sopInstanceUid || !studyInstanceUid || !seriesInstanceUid) {
    throw new OpscopeError('unsupported-media', `${name} lacks its SOP Instance, Study or Series UID, so it cannot be told apart from other recordings.`);
  }
  const acqDate = text(ds, 'AcquisitionDate') ?? text(ds, 'ContentDate');
  const acqTime = text(ds, 'AcquisitionTime') ?? text(ds, 'ContentTime');
  return {
    bitstream,
    info: {
      sopClassUid,
      sopInstanceUid,
      studyInstanceUid,
      seriesInstanceUid,
      transferSyntaxUid: syntax,
      codec: video.codec,
      modality: text(ds, 'Modality'),
      studyDate: text(ds, 'StudyDate'),
      studyTime: text(ds, 'StudyTime'),
      studyDescription: text(ds, 'StudyDescription'),
      seriesDescription: text(ds, 'SeriesDescription'),
      seriesNumber: num(ds, 'SeriesNumber'),
      instanceNumber: num(ds, 'InstanceNumber'),
      acquisitionDateTime: text(ds, 'AcquisitionDateTime') ?? (acqDate ? `${acqDate}${acqTime ?? ''}` : null),
      frameRate: frameRateOf({ frameTimeMs: num(ds, 'FrameTime'), cineRate: num(ds, 'CineRate'), recommendedFrameRate: num(ds, 'RecommendedDisplayFrameRate') }),
      source: path,
      patient: patientOf(ds),
    },
  };
}

/** (FFFE,E0DD) with length 0, little endian: the Sequence Delimitation Item closing encapsulated pixel data. */
const SEQUENCE_DELIMITER = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
/** (FFFC,FFFC) Data Set Trailing Padding, the one element allowed after the pixel data. */
const TRAILING_PADDING = Buffer.from([0xfc, 0xff, 0xfc, 0xff]);

/**
 * dcmjs reads a file cut inside its pixel data without complaint, handing back the fragments it
 * found. Encapsulated pixel data always ends with a delimitation item (PS3.5 A.4), followed by
 * nothing or by trailing padding: without it, the file is incomplete.
 */
function endsEncapsulation(data: Buffer): boolean {
  const tail = data.subarray(Math.max(0, data.length - 65536));
  const at = tail.lastIndexOf(SEQUENCE_DELIMITER);
  if (at < 0) return false;
  const rest = tail.subarray(at + SEQUENCE_DELIMITER.length);
  return rest.length === 0 || rest.subarray(0, 4).equals(TRAILING_PADDING);
}
