import type { CaseViews } from '../cases/case-views.js';
import type { HandlersOf } from '../router.js';
import type { IndexService } from './index-service.js';

export function indexHandlers(indexer: IndexService, views: CaseViews): HandlersOf<'index'> {
  return {
    'index.start': ({ caseId }) => {
      views.requireCase(caseId);
      indexer.enqueue(caseId);
      return views.detail(caseId).index;
    },
    'index.cancel': ({ caseId }) => {
      views.requireCase(caseId);
      indexer.cancel(caseId);
      return views.detail(caseId).index;
    },
    'index.wait': async ({ caseId }) => {
      views.requireCase(caseId);
      await indexer.whenIdle(caseId);
      return views.detail(caseId).index;
    },
  };
}
