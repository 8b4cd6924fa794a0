import type { HandlersOf } from '../router.js';
import type { LibrarySearch } from './search-service.js';

export function searchHandlers(search: LibrarySearch): HandlersOf<'search'> {
  return {
    'search.library': ({ query, limit }) => search.search(query, limit),
  };
}
