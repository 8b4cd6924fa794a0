/*
 * Which DICOM objects are videos Opscope opens: the video storage classes, with the bit stream of
 * an MPEG-2, H.264 or HEVC transfer syntax encapsulated in the pixel data (PS3.5 §8.2.5–8.2.8).
 */

export type VideoCodec = 'mpeg2' | 'h264' | 'hevc';

const VIDEO_SYNTAXES: Record<string, { codec: VideoCodec; name: string }> = {
  '1.2.840.10008.1.2.4.100': { codec: 'mpeg2', name: 'MPEG-2 Main Profile @ Main Level' },
  '1.2.840.10008.1.2.4.100.1': { codec: 'mpeg2', name: 'MPEG-2 Main Profile @ Main Level (fragmentable)' },
  '1.2.840.10008.1.2.4.101': { codec: 'mpeg2', name: 'MPEG-2 Main Profile @ High Level' },
  '1.2.840.10008.1.2.4.101.1': { codec: 'mpeg2', name: 'MPEG-2 Main Profile @ High Level (fragmentable)' },
  '1.2.840.10008.1.2.4.102': { codec: 'h264', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.1' },
  '1.2.840.10008.1.2.4.102.1': { codec: 'h264', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.1 (fragmentable)' },
  '1.2.840.10008.1.2.4.103': { codec: 'h264', name: 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1' },
  '1.2.840.10008.1.2.4.103.1': { codec: 'h264', name: 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1 (fragmentable)' },
  '1.2.840.10008.1.2.4.104': { codec: 'h264', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 for 2D video' },
  '1.2.840.10008.1.2.4.104.1': { codec: 'h264', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 for 2D video (fragmentable)' },
  '1.2.840.10008.1.2.4.105': { codec: 'h264', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 for 3D video' },
  '1.2.840.10008.1.2.4.105.1': { codec: 'h264', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 for 3D video (fragmentable)' },
  '1.2.840.10008.1.2.4.106': { codec: 'h264', name: 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2' },
  '1.2.840.10008.1.2.4.106.1': { codec: 'h264', name: 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2 (fragmentable)' },
  '1.2.840.10008.1.2.4.107': { codec: 'hevc', name: 'HEVC/H.265 Main Profile / Level 5.1' },
  '1.2.840.10008.1.2.4.108': { codec: 'hevc', name: 'HEVC/H.265 Main 10 Profile / Level 5.1' },
};

/** Transfer syntaxes that are not video, named so a refusal says what the file holds instead. */
const OTHER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian (uncompressed pixels)',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian (uncompressed pixels)',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (uncompressed pixels)',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
};

/** The storage classes of video recordings (endoscopic, microscopic, photographic). */
export const VIDEO_SOP_CLASSES: Record<string, string> = {
  '1.2.840.10008.5.1.4.1.1.77.1.1.1': 'Video Endoscopic Image Storage',
  '1.2.840.10008.5.1.4.1.1.77.1.2.1': 'Video Microscopic Image Storage',
  '1.2.840.10008.5.1.4.1.1.77.1.4.1': 'Video Photographic Image Storage',
};

export const VIDEO_ENDOSCOPIC_STORAGE = '1.2.840.10008.5.1.4.1.1.77.1.1.1';
export const VIDEO_PHOTOGRAPHIC_STORAGE = '1.2.840.10008.5.1.4.1.1.77.1.4.1';
/** What a clip sent to the PACS is written as: H.264 High Profile / Level 4.1. */
export const H264_TRANSFER_SYNTAX = '1.2.840.10008.1.2.4.102';

export function videoSyntax(uid: string): { codec: VideoCodec; name: string } | null {
  return VIDEO_SYNTAXES[uid] ?? null;
}

export function isVideoSyntax(uid: string): boolean {
  return uid in VIDEO_SYNTAXES;
}

/** Says what a transfer syntax is, for a refusal: "JPEG Baseline (1.2.840.10008.1.2.4.50)". */
export function describeSyntax(uid: string): string {
  const name = VIDEO_SYNTAXES[uid]?.name ?? OTHER_SYNTAXES[uid];
  return name ? `${name} (${uid})` : `transfer syntax ${uid || '(none)'}`;
}

export const VIDEO_SYNTAX_UIDS = Object.keys(VIDEO_SYNTAXES);
