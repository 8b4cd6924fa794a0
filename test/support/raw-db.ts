import { connectionForTests } from '../../main/host/store/test-door.js';
import type { WritableDB } from '../../main/host/store/db.js';
import type { Store } from '../../main/host/store/store.js';

/**
 * The store's own connection, for tests that need raw SQL: simulating an old schema, counting
 * rows, proving a trigger refuses a change, reading a pragma of that connection. Application
 * code has no such door: the Store keeps its connection private.
 */
export function rawDb(store: Store): WritableDB {
  return connectionForTests(store);
}
