import { z } from 'zod';
import { Id, ImportResult } from './schemas.js';

const Uid = z.string().trim().regex(/^[0-9.]{1,64}$/, 'not a DICOM UID');
/** A DICOM date or date range: YYYYMMDD, YYYYMMDD-YYYYMMDD, or open on one side. */
export const DicomDateRange = z
  .string()
  .trim()
  .regex(/^(\d{8})?(-(\d{8})?)?$/, 'a date is YYYYMMDD or YYYYMMDD-YYYYMMDD')
  .refine((v) => v !== '' && v !== '-', 'a date is YYYYMMDD or YYYYMMDD-YYYYMMDD');

export const PacsSearchInput = z
  .object({
    patientId: z.string().trim().min(1).max(64).optional(),
    /** DICOM name matching: "Doe^J*" (a trailing * matches any rest). */
    patientName: z.string().trim().min(1).max(64).optional(),
    studyDate: DicomDateRange.optional(),
    /** Default: the settings' modalities (ES and XC). */
    modalities: z.array(z.string().trim().regex(/^[A-Z0-9]{1,16}$/)).min(1).max(16).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

/** A study the PACS has. The patient's details are shown here because the user searched for them. */
export const PacsStudy = z.object({
  studyInstanceUid: z.string(),
  studyDate: z.string().nullable(),
  studyTime: z.string().nullable(),
  studyDescription: z.string().nullable(),
  accessionNumber: z.string().nullable(),
  modalities: z.array(z.string()),
  patientName: z.string().nullable(),
  patientId: z.string().nullable(),
  patientBirthDate: z.string().nullable(),
  series: z.number().int().nullable(),
  instances: z.number().int().nullable(),
  /** Cases of the library already holding instances of this study. */
  inLibrary: z.array(Id),
});
export type PacsStudy = z.infer<typeof PacsStudy>;

export const PacsSearchResult = z.object({ server: z.string(), studies: z.array(PacsStudy) });
export type PacsSearchResult = z.infer<typeof PacsSearchResult>;

export const PacsRetrieveInput = z
  .object({ studyInstanceUid: Uid, seriesInstanceUid: Uid.optional(), index: z.boolean().default(true) })
  .strict();

export const PacsProgress = z.object({
  retrievalId: Id,
  studyInstanceUid: z.string(),
  stage: z.enum(['listing', 'retrieving', 'importing']),
  instancesDone: z.number().int().nonnegative(),
  instancesTotal: z.number().int().nonnegative(),
  /** Instances found in the cache: fetched earlier, not fetched again. */
  instancesCached: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  /** Bytes of the instance being fetched, when the server said. */
  instanceBytes: z.number().nonnegative().nullable(),
  instanceTotal: z.number().nonnegative().nullable(),
});
export type PacsProgress = z.infer<typeof PacsProgress>;

export const PacsDone = z.object({
  retrievalId: Id,
  studyInstanceUid: z.string(),
  outcome: z.enum(['done', 'failed', 'canceled']),
  /** What importing the retrieved instances gave (`import --json` of them). */
  results: z.array(ImportResult),
  /** Instances that could not be retrieved; the others were imported. */
  errors: z.array(z.object({ sopInstanceUid: z.string().nullable(), message: z.string() })),
  message: z.string().optional(),
});
export type PacsDone = z.infer<typeof PacsDone>;

export const PacsSendResult = z.object({
  server: z.string(),
  studyInstanceUid: z.string(),
  seriesInstanceUid: z.string(),
  sopInstanceUid: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type PacsSendResult = z.infer<typeof PacsSendResult>;

/** The patient of a case read from DICOM, shown only when the user asks (each view is audited). */
export const CasePatient = z
  .object({
    name: z.string().nullable(),
    patientId: z.string().nullable(),
    birthDate: z.string().nullable(),
    sex: z.string().nullable(),
    institution: z.string().nullable(),
  })
  .nullable();
