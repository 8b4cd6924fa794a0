import type { DicomInstanceInfo, PatientDetails } from '../../core/dicom/instance.js';
import { Repository } from '../store/db.js';

export interface DicomPartRow {
  part_id: string;
  sop_instance_uid: string;
  sop_class_uid: string;
  study_uid: string;
  series_uid: string;
  transfer_syntax: string;
  instance_number: number | null;
  acquisition_dt: string | null;
  modality: string | null;
  study_date: string | null;
  study_description: string | null;
  series_description: string | null;
  series_number: number | null;
  source_path: string;
}

/**
 * The DICOM side of parts and cases: which instance a part was read from, and the patient a case
 * is of. Patient rows are read only by `patientOf` (the user's explicit request), never by the
 * queries that build case lists, manifests or exports.
 */
export class DicomRecords extends Repository {

  /** Links a case's new parts to their instances and stores its patient, in one transaction. */
  linkCase(caseId: string, parts: { partId: string; dicom: DicomInstanceInfo }[], patient: PatientDetails | null): void {
    const put = this.db.prepare(`INSERT OR REPLACE INTO dicom_parts (part_id, sop_instance_uid, sop_class_uid, study_uid, series_uid,
      transfer_syntax, instance_number, acquisition_dt, modality, study_date, study_description, series_description, series_number, source_path)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const { partId, dicom: d } of parts) {
        put.run(partId, d.sopInstanceUid, d.sopClassUid, d.studyInstanceUid, d.seriesInstanceUid, d.transferSyntaxUid, d.instanceNumber,
          d.acquisitionDateTime, d.modality, d.studyDate, d.studyDescription, d.seriesDescription, d.seriesNumber, d.source);
      }
      if (patient && Object.values(patient).some((v) => v !== null)) {
        this.db
          .prepare('INSERT OR REPLACE INTO case_patients (case_id, name, patient_id, birth_date, sex, institution) VALUES (?, ?, ?, ?, ?, ?)')
          .run(caseId, patient.name, patient.patientId, patient.birthDate, patient.sex, patient.institution);
      }
    })();
  }

  /** A part moved back to the .dcm it is read from (the same instance imported from another place). */
  relinkSource(partId: string, source: string): void {
    this.db.prepare('UPDATE dicom_parts SET source_path = ? WHERE part_id = ?').run(source, partId);
  }

  partsOfCase(caseId: string): DicomPartRow[] {
    return this.read
      .prepare('SELECT d.* FROM dicom_parts d JOIN parts p ON p.id = d.part_id WHERE p.case_id = ? ORDER BY p.ord')
      .all(caseId) as DicomPartRow[];
  }

  /** The case already holding instances of a series (a retrieval resumed, a medium read again). */
  caseOfSeries(studyUid: string, seriesUid: string): string | null {
    const r = this.read
      .prepare('SELECT p.case_id AS id FROM dicom_parts d JOIN parts p ON p.id = d.part_id WHERE d.study_uid = ? AND d.series_uid = ? ORDER BY p.created_at LIMIT 1')
      .get(studyUid, seriesUid) as { id: string } | undefined;
    return r?.id ?? null;
  }

  part(partId: string): DicomPartRow | undefined {
    return this.read.prepare('SELECT * FROM dicom_parts WHERE part_id = ?').get(partId) as DicomPartRow | undefined;
  }

  /** Cases holding parts of a study, for "already in the library". */
  casesOfStudy(studyUid: string): string[] {
    return (this.read.prepare('SELECT DISTINCT p.case_id AS id FROM dicom_parts d JOIN parts p ON p.id = d.part_id WHERE d.study_uid = ?').all(studyUid) as { id: string }[]).map((r) => r.id);
  }

  patientOf(caseId: string): PatientDetails | null {
    const r = this.read.prepare('SELECT name, patient_id, birth_date, sex, institution FROM case_patients WHERE case_id = ?').get(caseId) as
      | { name: string | null; patient_id: string | null; birth_date: string | null; sex: string | null; institution: string | null }
      | undefined;
    return r ? { name: r.name, patientId: r.patient_id, birthDate: r.birth_date, sex: r.sex, institution: r.institution } : null;
  }
}
