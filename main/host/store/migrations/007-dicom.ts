/*
 * Recordings that came as DICOM video: each such part keeps the instance it was read from (its
 * UIDs and the .dcm file), and a case made of DICOM instances keeps its patient's identity in a
 * table of its own, read only when the user asks to see it.
 */
export default /* sql */ `
CREATE TABLE dicom_parts (
  part_id            TEXT PRIMARY KEY REFERENCES parts(id) ON DELETE CASCADE,
  sop_instance_uid   TEXT NOT NULL,
  sop_class_uid      TEXT NOT NULL,
  study_uid          TEXT NOT NULL,
  series_uid         TEXT NOT NULL,
  transfer_syntax    TEXT NOT NULL,
  instance_number    INTEGER,
  acquisition_dt     TEXT,
  modality           TEXT,
  study_date         TEXT,
  study_description  TEXT,
  series_description TEXT,
  series_number      INTEGER,
  source_path        TEXT NOT NULL
);
CREATE INDEX dicom_parts_sop ON dicom_parts(sop_instance_uid);
CREATE INDEX dicom_parts_study ON dicom_parts(study_uid, series_uid);
CREATE TABLE case_patients (
  case_id     TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  name        TEXT,
  patient_id  TEXT,
  birth_date  TEXT,
  sex         TEXT,
  institution TEXT
);
`;
