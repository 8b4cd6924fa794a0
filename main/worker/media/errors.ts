import { OpscopeError } from '../../core/errors.js';

/** Turns what ffmpeg/ffprobe or the file system said into something a clinician can act on. */
export function explainMediaFailure(err: unknown, fileName: string, head?: Buffer): OpscopeError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new OpscopeError('not-found', `${fileName} was not found.`);
  if (code === 'EACCES' || code === 'EPERM') return new OpscopeError('unavailable', `${fileName} cannot be read (permission denied).`);
  if (code === 'EISDIR') return new OpscopeError('invalid-input', `${fileName} is a folder, not a recording.`);
  if (!(err instanceof OpscopeError)) {
    return new OpscopeError('internal', `${fileName} could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (err.code === 'canceled' || err.code === 'timeout') return err;
  const said = `${err.detail ?? ''}\n${err.message}`;
  // ffmpeg picks the MP4 reader by extension too, so a text file named .mp4 also lacks a moov.
  if (/moov atom not found/i.test(said) && (head === undefined || startsWithMp4Box(head))) {
    return new OpscopeError(
      'unsupported-media',
      `${fileName} is an incomplete recording: the MP4 was never finalized (no index, "moov" atom missing). Recorders leave files like this when they stop abruptly.`,
    );
  }
  if (/Permission denied/i.test(said)) return new OpscopeError('unavailable', `${fileName} cannot be read (permission denied).`);
  if (/Invalid data found|moov atom not found|could not find codec parameters|Unknown format|EBML header parsing failed|Format .* detected only with low score/i.test(said)) {
    return new OpscopeError('unsupported-media', `${fileName} is not a video file, or it is damaged.`);
  }
  if (/Decoder .* not found|unsupported codec|Could not find codec/i.test(said)) {
    return new OpscopeError('unsupported-media', `${fileName} uses a video codec this ffmpeg cannot decode.`);
  }
  return err;
}

const MP4_BOXES = new Set(['ftyp', 'mdat', 'moov', 'free', 'skip', 'wide', 'pnot', 'uuid']);

/** Whether a file begins like an ISO base media (MP4/MOV) file: a size, then a known box type. */
export function startsWithMp4Box(head: Buffer): boolean {
  return head.length >= 8 && MP4_BOXES.has(head.toString('latin1', 4, 8));
}
