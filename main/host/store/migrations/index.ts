import initial from './001-initial.js';

/** Numbered migrations; the database's user_version is the number of the last one applied. */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'initial', sql: initial },
];
