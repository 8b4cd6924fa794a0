import type { DeidService } from '../deid/deid-service.js';
import type { HandlersOf } from '../router.js';
import type { FrameService } from './frame-service.js';

export function frameHandlers(frames: FrameService, deid: DeidService): HandlersOf<'frames'> {
  return {
    'frames.get': ({ caseId, time }) => frames.get(caseId, time),
    'frames.text': async ({ caseId, time }) => {
      const r = await deid.ocrAt(caseId, time);
      return {
        time: r.time,
        partId: r.partId,
        width: r.width,
        height: r.height,
        device: r.info.device,
        texts: r.texts.filter((x) => x.text.length > 0).map((x) => ({ text: x.text, box: x.box, score: x.score })),
      };
    },
  };
}
