import initial from './001-initial.js';
import agent from './002-agent.js';
import feedback from './003-feedback.js';
import recordings from './004-recordings.js';
import bookmarks from './005-bookmarks.js';
import recordingGaps from './006-recording-gaps.js';

/** Numbered migrations; the database's user_version is the number of the last one applied. */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'agent', sql: agent },
  { version: 3, name: 'feedback', sql: feedback },
  { version: 4, name: 'recordings', sql: recordings },
  { version: 5, name: 'bookmarks', sql: bookmarks },
  { version: 6, name: 'recording-gaps', sql: recordingGaps },
];
