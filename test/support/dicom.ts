import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import dcmjs from 'dcmjs';
import { runFfmpeg, inputPath } from '../../main/node/ffmpeg/run.js';

dcmjs.log.setLevel('error');
const { DicomDict, DicomMetaDictionary } = dcmjs.data;

export const ENDOSCOPIC = '1.2.840.10008.5.1.4.1.1.77.1.1.1';
export const TS = { h264: '1.2.840.10008.1.2.4.102', mpeg2: '1.2.840.10008.1.2.4.100', hevc: '1.2.840.10008.1.2.4.107', jpeg: '1.2.840.10008.1.2.4.50' } as const;

export interface DicomVideoSpec {
  /** The bit stream to encapsulate, as written by `bitstreamOf`. */
  bitstream: Buffer;
  transferSyntax: string;
  sopClassUid?: string;
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  instanceNumber?: number;
  seriesNumber?: number;
  acquisitionDateTime?: string;
  frameTimeMs?: number;
  rows: number;
  columns: number;
  frames: number;
  patient?: { name: string; id: string; birthDate: string; institution: string };
  studyDescription?: string;
  studyDate?: string;
}

/**
 * A DICOM video instance written with dcmjs the way a tower writes one: the elementary or
 * program stream as encapsulated pixel data (one frame item, fragments of 20 kB), patient and
 * study attributes set.
 */
export function writeDicomVideo(file: string, s: DicomVideoSpec): string {
  const sopClass = s.sopClassUid ?? ENDOSCOPIC;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: s.sopUid,
    TransferSyntaxUID: s.transferSyntax,
    ImplementationClassUID: '1.2.826.0.1.3680043.10.1100.1',
  };
  const p = s.patient ?? { name: 'Doe^Jane', id: 'PAT-0042', birthDate: '19700101', institution: 'St. Example Hospital' };
  const ds: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClass,
    SOPInstanceUID: s.sopUid,
    StudyInstanceUID: s.studyUid,
    SeriesInstanceUID: s.seriesUid,
    StudyDate: s.studyDate ?? '20240502',
    StudyTime: '101500',
    StudyDescription: s.studyDescription ?? 'Colonoscopy',
    Modality: 'ES',
    SeriesNumber: String(s.seriesNumber ?? 1),
    InstanceNumber: String(s.instanceNumber ?? 1),
    ...(s.acquisitionDateTime ? { AcquisitionDateTime: s.acquisitionDateTime } : {}),
    PatientName: p.name,
    PatientID: p.id,
    PatientBirthDate: p.birthDate,
    PatientSex: 'F',
    InstitutionName: p.institution,
    Rows: s.rows,
    Columns: s.columns,
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'YBR_PARTIAL_420',
    PlanarConfiguration: 0,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    NumberOfFrames: String(s.frames),
    FrameTime: String(s.frameTimeMs ?? 40),
    CineRate: String(Math.round(1000 / (s.frameTimeMs ?? 40))),
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  // Encapsulated pixel data is OB (the dictionary says "OB or OW").
  dict.dict['7FE00010'] = { vr: 'OB', Value: [s.bitstream.buffer.slice(s.bitstream.byteOffset, s.bitstream.byteOffset + s.bitstream.byteLength)] };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.from(dict.write()));
  return file;
}

/**
 * A video's stream as DICOM carries it: H.264 and HEVC in an MPEG-2 transport stream (PS3.5
 * §8.2.8 asks for MPEG-TS or MP4), MPEG-2 as a program stream; `es` gives the bare elementary
 * stream some older towers write.
 */
export async function bitstreamOf(video: string, codec: 'h264' | 'mpeg2' | 'hevc', out: string, form: 'container' | 'es' = 'container'): Promise<Buffer> {
  const args =
    form === 'es'
      ? codec === 'mpeg2' ? ['-c', 'copy', '-f', 'mpeg2video'] : ['-c', 'copy', '-bsf:v', `${codec}_mp4toannexb`, '-f', codec]
      : codec === 'mpeg2' ? ['-c', 'copy', '-f', 'mpeg'] : ['-c', 'copy', '-bsf:v', `${codec}_mp4toannexb`, '-f', 'mpegts'];
  await runFfmpeg(['-v', 'error', '-y', '-i', inputPath(video), '-map', '0:v:0', ...args, out], { timeoutMs: 120_000 });
  return readFileSync(out);
}

/** A DICOMDIR listing the files (IMAGE records under their patient, study and series). */
export function writeDicomdir(root: string, files: { file: string; sopUid: string; studyUid: string; seriesUid: string }[]): string {
  const records: Record<string, unknown>[] = [{ DirectoryRecordType: 'PATIENT', PatientName: 'Doe^Jane', PatientID: 'PAT-0042' }];
  for (const f of files) {
    records.push({ DirectoryRecordType: 'STUDY', StudyInstanceUID: f.studyUid, StudyDate: '20240502' });
    records.push({ DirectoryRecordType: 'SERIES', SeriesInstanceUID: f.seriesUid, Modality: 'ES' });
    records.push({
      DirectoryRecordType: 'IMAGE',
      ReferencedFileID: relative(root, f.file).split(sep).map((p) => p.toUpperCase()),
      ReferencedSOPClassUIDInFile: ENDOSCOPIC,
      ReferencedSOPInstanceUIDInFile: f.sopUid,
      ReferencedTransferSyntaxUIDInFile: TS.h264,
    });
  }
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.1.3.10',
    MediaStorageSOPInstanceUID: '1.2.826.0.1.3680043.10.1100.9',
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.826.0.1.3680043.10.1100.1',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset({ FileSetID: 'OPSCOPE', DirectoryRecordSequence: records });
  const out = join(root, 'DICOMDIR');
  writeFileSync(out, Buffer.from(dict.write()));
  return out;
}
