import dcmjs from 'dcmjs';
import { H264_TRANSFER_SYNTAX, VIDEO_ENDOSCOPIC_STORAGE } from '../../core/dicom/transfer-syntax.js';

dcmjs.log.setLevel('error');
const { DicomDict, DicomMetaDictionary } = dcmjs.data;

/** Opscope's implementation class UID (under the UUID-derived root 2.25, PS3.5 Annex B.2). */
const IMPLEMENTATION_CLASS_UID = '2.25.161410275853406316151312633218574591377';

export interface TeachingVideo {
  /** The clip's H.264 stream in an MPEG-2 transport stream (PS3.5 §8.2.8). */
  transportStream: Uint8Array;
  width: number;
  height: number;
  frames: number;
  fps: number;
  /** When the clip was made (YYYYMMDD, HHMMSS): the new study's date, not the procedure's. */
  date: string;
  time: string;
  description: string;
}

/** A new DICOM UID (2.25 and a random UUID as an integer). */
export function newUid(): string {
  return DicomMetaDictionary.uid();
}

/**
 * A de-identified teaching clip as a Video Endoscopic Image instance in a study of its own: new
 * UIDs, and no patient attribute with a value (Type 2 ones are present and empty, as the IOD
 * requires). Patient Identity Removed says so.
 */
export function teachingClipDicom(v: TeachingVideo): { bytes: Uint8Array; studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string } {
  const studyInstanceUid = newUid();
  const seriesInstanceUid = newUid();
  const sopInstanceUid = newUid();
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: VIDEO_ENDOSCOPIC_STORAGE,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: H264_TRANSFER_SYNTAX,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'OPSCOPE',
  };
  const frameTime = 1000 / v.fps;
  const ds = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['DERIVED', 'SECONDARY'],
    SOPClassUID: VIDEO_ENDOSCOPIC_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    StudyInstanceUID: studyInstanceUid,
    SeriesInstanceUID: seriesInstanceUid,
    StudyDate: v.date,
    StudyTime: v.time,
    ContentDate: v.date,
    ContentTime: v.time,
    StudyID: '',
    AccessionNumber: '',
    ReferringPhysicianName: '',
    StudyDescription: v.description.slice(0, 64),
    SeriesDescription: 'De-identified teaching clip',
    Modality: 'ES',
    Manufacturer: 'Opscope',
    SeriesNumber: '1',
    InstanceNumber: '1',
    PatientName: '',
    PatientID: '',
    PatientBirthDate: '',
    PatientSex: '',
    PatientIdentityRemoved: 'YES',
    DeidentificationMethod: 'Opscope de-identified teaching clip: burned-in text and out-of-body frames masked, new UIDs',
    BurnedInAnnotation: 'NO',
    LossyImageCompression: '01',
    Rows: v.height,
    Columns: v.width,
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'YBR_PARTIAL_420',
    PlanarConfiguration: 0,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    NumberOfFrames: String(v.frames),
    FrameTime: frameTime.toFixed(3),
    CineRate: String(Math.round(v.fps)),
    RecommendedDisplayFrameRate: String(Math.round(v.fps)),
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  const ts = v.transportStream;
  // Encapsulated pixel data is OB; dcmjs writes a video stream as one frame of 20 kB fragments.
  dict.dict['7FE00010'] = { vr: 'OB', Value: [ts.buffer.slice(ts.byteOffset, ts.byteOffset + ts.byteLength)] };
  return { bytes: new Uint8Array(dict.write()), studyInstanceUid, seriesInstanceUid, sopInstanceUid };
}
