/*
 * A DICOM video instance as Opscope keeps it: where it came from (its UIDs and the .dcm file),
 * the study facts a case may be named by, and, apart from them, the patient's identity, which is
 * stored on its own and shown only where the user asks for it.
 */
import type { VideoCodec } from './transfer-syntax.js';

/** Who the recording is of and where it was made: never part of a case name, a manifest or an export. */
export interface PatientDetails {
  name: string | null;
  patientId: string | null;
  /** YYYYMMDD as DICOM writes it. */
  birthDate: string | null;
  sex: string | null;
  institution: string | null;
}

export interface DicomInstanceInfo {
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
  codec: VideoCodec;
  modality: string | null;
  /** YYYYMMDD. */
  studyDate: string | null;
  studyTime: string | null;
  studyDescription: string | null;
  seriesDescription: string | null;
  seriesNumber: number | null;
  instanceNumber: number | null;
  /** DICOM DT (YYYYMMDDHHMMSS.FFFFFF), from AcquisitionDateTime or AcquisitionDate + Time. */
  acquisitionDateTime: string | null;
  frameRate: number | null;
  /** The .dcm file. */
  source: string;
  /** The bit stream remuxed to a file ffmpeg reads, in the data folder. */
  media: string;
  patient: PatientDetails;
}

/** The study and series facts a case is named and grouped by (no patient attribute). */
export type SeriesFacts = Pick<
  DicomInstanceInfo,
  'studyInstanceUid' | 'seriesInstanceUid' | 'modality' | 'studyDate' | 'studyDescription' | 'seriesDescription' | 'seriesNumber'
>;

/** Instances grouped into series (one case each), series in study then series-number order. */
export function groupBySeries<T extends { dicom: DicomInstanceInfo }>(items: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = `${item.dicom.studyInstanceUid}\n${item.dicom.seriesInstanceUid}`;
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  const ordered = [...groups.values()].map((g) => orderInstances(g));
  return ordered.sort((a, b) => {
    const x = a[0]!.dicom;
    const y = b[0]!.dicom;
    return (
      (x.studyDate ?? '').localeCompare(y.studyDate ?? '') ||
      x.studyInstanceUid.localeCompare(y.studyInstanceUid) ||
      (x.seriesNumber ?? Infinity) - (y.seriesNumber ?? Infinity) ||
      x.seriesInstanceUid.localeCompare(y.seriesInstanceUid)
    );
  });
}

/** Parts of a series: by acquisition time, then instance number (towers number the parts they split). */
export function orderInstances<T extends { dicom: Pick<DicomInstanceInfo, 'acquisitionDateTime' | 'instanceNumber' | 'sopInstanceUid'> }>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const x = a.dicom;
    const y = b.dicom;
    const byTime = x.acquisitionDateTime && y.acquisitionDateTime ? normalizeDt(x.acquisitionDateTime).localeCompare(normalizeDt(y.acquisitionDateTime)) : 0;
    return byTime || (x.instanceNumber ?? Infinity) - (y.instanceNumber ?? Infinity) || x.sopInstanceUid.localeCompare(y.sopInstanceUid);
  });
}

/** DT values compare as text once padded to the same precision (a time zone suffix is dropped). */
function normalizeDt(dt: string): string {
  const bare = dt.replace(/[+-]\d{4}$/, '');
  const [whole, frac = ''] = bare.split('.');
  return `${(whole ?? '').padEnd(14, '0')}.${frac.padEnd(6, '0')}`;
}

/** "2024-05-02" from "20240502"; null for anything else. */
export function isoDate(da: string | null): string | null {
  const m = da ? /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim()) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/**
 * A case name from the study, never from the patient: "ES · Colonoscopy · 2024-05-02", with the
 * series when the study has several ("… · series 2 Withdrawal").
 */
export function caseNameForSeries(s: SeriesFacts, seriesInStudy: number, patient?: PatientDetails): string {
  const description = scrubPatient(s.studyDescription?.trim() || '', patient);
  const bits = [s.modality?.trim() || 'Video', description, isoDate(s.studyDate)].filter((b): b is string => Boolean(b));
  if (seriesInStudy > 1) {
    const series = [s.seriesNumber !== null ? `series ${s.seriesNumber}` : 'series', scrubPatient(s.seriesDescription?.trim() || '', patient)]
      .filter(Boolean)
      .join(' ');
    bits.push(series);
  }
  return bits.join(' · ').slice(0, 200);
}

function tokens(p: PatientDetails | undefined): string[] {
  if (!p) return [];
  const names = (p.name ?? '').split(/[\^=\s,]+/).filter((t) => t.length >= 2);
  return [...names, p.patientId ?? '', p.birthDate ?? ''].map((t) => t.trim()).filter((t) => t.length >= 2);
}

/** True when a text shows the patient's name, ID or birth date (case and separators ignored). */
export function mentionsPatient(text: string, patient: PatientDetails | undefined): boolean {
  const flat = text.toLowerCase().replace(/[\s._^-]+/g, '');
  return tokens(patient).some((t) => flat.includes(t.toLowerCase().replace(/[\s._^-]+/g, '')));
}

/** The text, or '' when it shows the patient (a description typed with the name in it). */
export function scrubPatient(text: string, patient: PatientDetails | undefined): string {
  return mentionsPatient(text, patient) ? '' : text;
}

/** A part's file name that does not name the patient: the file's own, else "instance N.dcm". */
export function safeFileName(fileName: string, info: Pick<DicomInstanceInfo, 'instanceNumber' | 'patient'>): string {
  if (!mentionsPatient(fileName, info.patient)) return fileName;
  return `instance ${info.instanceNumber ?? 1}.dcm`;
}
