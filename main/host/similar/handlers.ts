import type { HandlersOf } from '../router.js';
import type { SimilarService } from './similar-service.js';

export function similarHandlers(similar: SimilarService): HandlersOf<'similar'> {
  return {
    'similar.status': ({ caseId }) => similar.status(caseId),
    'similar.build': ({ caseId }) => similar.enqueue(caseId),
    'similar.cancel': ({ caseId }) => similar.cancel(caseId),
    'similar.wait': ({ caseId }) => {
      similar.status(caseId);
      return similar.whenIdle(caseId);
    },
    'similar.find': (input) => similar.find(input),
  };
}
