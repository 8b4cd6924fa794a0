import { userPath } from '../app/user-paths.js';
import type { HandlersOf } from '../router.js';
import type { PacsService } from './pacs-service.js';

export function pacsHandlers(pacs: PacsService): HandlersOf<'pacs'> {
  return {
    'pacs.search': (input) => pacs.search(input),
    'pacs.retrieve': (input) => pacs.retrieve(input),
    'pacs.wait': ({ retrievalId }) => pacs.wait(retrievalId),
    'pacs.cancel': ({ retrievalId }) => pacs.cancel(retrievalId),
    'pacs.send': ({ clip }, ctx) => pacs.send(userPath(clip, ctx)),
  };
}
