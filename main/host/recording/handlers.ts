import { cwdOf } from '../app/user-paths.js';
import type { HandlersOf } from '../router.js';
import type { RecordingService } from './recording-service.js';

export function recordingHandlers(recorder: RecordingService): HandlersOf<'recording'> {
  return {
    'recording.start': async (input, ctx) => {
      const { recordingId, caseId } = await recorder.start({ ...input, ...cwdOf(ctx) });
      return { recordingId, caseId };
    },
    'recording.stop': () => recorder.stop(),
    'recording.status': () => recorder.status(),
    'recording.interrupted': async () => {
      await recorder.ready;
      return recorder.interruptedRecordings();
    },
    'recording.chunk': (input) => recorder.chunk(input),
    'recording.sourceLost': ({ recordingId, message }) => recorder.sourceLost(recordingId, message),
    'recording.resume': ({ recordingId }) => recorder.resume(recordingId),
  };
}
