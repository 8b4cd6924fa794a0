import { dirname } from 'node:path';
import type { DataLayout } from '../../node/paths.js';
import { cwdOf, ensureExportsFolder } from '../app/user-paths.js';
import type { HandlersOf } from '../router.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { Store } from '../store/store.js';
import type { BookmarkService } from './bookmark-service.js';
import type { FeedbackService } from './feedback-service.js';

export function feedbackHandlers(feedback: FeedbackService, settings: SettingsService, store: Store, layout: DataLayout): HandlersOf<'feedback'> {
  return {
    'feedback.add': (input) => feedback.add(input),
    'feedback.history': ({ evidenceId }) => feedback.history(evidenceId),
    'feedback.list': ({ filter, caseId }) => feedback.list(filter, caseId),
    'feedback.counts': () => feedback.counts(),
    'feedback.exportTrainingSet': async ({ out, caseId, overwrite }, ctx) => {
      await ensureExportsFolder(layout, dirname(out));
      const result = await feedback.exportTrainingSet({ out, caseId, overwrite, ...cwdOf(ctx) });
      store.audit(settings.actor(), 'feedback.exportTrainingSet', caseId ?? null, { out: result.out, count: result.count });
      return result;
    },
  };
}

export function bookmarkHandlers(bookmarks: BookmarkService): HandlersOf<'bookmarks'> {
  return {
    'bookmarks.add': (input) => bookmarks.add(input),
    'bookmarks.list': ({ caseId }) => bookmarks.list(caseId),
    'bookmarks.update': (input) => bookmarks.update(input),
    'bookmarks.delete': ({ bookmarkId }) => bookmarks.delete(bookmarkId),
  };
}
