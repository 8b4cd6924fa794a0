import type { WritableDB } from './db.js';
import type { Store } from './store.js';

/*
 * The one way around the store's private connection, for tests only (test/support/raw-db.ts):
 * simulating an old schema, counting rows, checking a pragma of the store's own connection.
 * ESLint forbids importing this file anywhere in main/ but the store itself.
 */

let door: ((store: Store) => WritableDB) | null = null;

/** Called once, by the Store class. */
export function openTestDoor(open: (store: Store) => WritableDB): void {
  door = open;
}

export function connectionForTests(store: Store): WritableDB {
  if (!door) throw new Error('The Store class is not loaded.');
  return door(store);
}
