/*
 * Reading the DICOM JSON model (PS3.18 Annex F) that QIDO-RS and STOW-RS answer with: objects keyed
 * by tag, each with a VR and a Value array.
 */

export type DicomJson = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

export const TAG = {
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  ModalitiesInStudy: '00080061',
  Modality: '00080060',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDescription: '00081030',
  PatientName: '00100010',
  PatientID: '00100020',
  PatientBirthDate: '00100030',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  FailureReason: '00081197',
  ReferencedSOPInstanceUID: '00081155',
} as const;

/** The first value of a tag as text (a person name as its alphabetic form); null when absent. */
export function jsonText(obj: DicomJson, tag: string): string | null {
  const v = obj[tag]?.Value?.[0];
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') {
    const a = (v as { Alphabetic?: unknown }).Alphabetic;
    return typeof a === 'string' && a.trim() ? a.trim() : null;
  }
  const s = String(v).trim();
  return s === '' ? null : s;
}

export function jsonTexts(obj: DicomJson, tag: string): string[] {
  return (obj[tag]?.Value ?? []).map((v) => String(v).trim()).filter(Boolean);
}

export function jsonNumber(obj: DicomJson, tag: string): number | null {
  const t = jsonText(obj, tag);
  const n = t === null ? NaN : Number(t);
  return Number.isFinite(n) ? n : null;
}

export function jsonItems(obj: DicomJson, tag: string): DicomJson[] {
  return (obj[tag]?.Value ?? []).filter((v): v is DicomJson => typeof v === 'object' && v !== null);
}

/** True when a parsed body is an array of DICOM JSON objects (what a QIDO-RS search returns). */
export function isDicomJsonArray(body: unknown): body is DicomJson[] {
  return Array.isArray(body) && body.every((o) => typeof o === 'object' && o !== null && !Array.isArray(o));
}
