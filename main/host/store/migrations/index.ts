import initial from './001-initial.js';
import agent from './002-agent.js';
import feedback from './003-feedback.js';
import recordings from './004-recordings.js';
import bookmarks from './005-bookmarks.js';
import recordingGaps from './006-recording-gaps.js';
import dicom from './007-dicom.js';
import evidenceBoxes from './008-evidence-boxes.js';
import pictureIndex from './009-picture-index.js';
import similarSteps from './010-similar-steps.js';

/** Numbered migrations; the database's user_version is the number of the last one applied. */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'agent', sql: agent },
  { version: 3, name: 'feedback', sql: feedback },
  { version: 4, name: 'recordings', sql: recordings },
  { version: 5, name: 'bookmarks', sql: bookmarks },
  { version: 6, name: 'recording-gaps', sql: recordingGaps },
  { version: 7, name: 'dicom', sql: dicom },
  { version: 8, name: 'evidence-boxes', sql: evidenceBoxes },
  { version: 9, name: 'picture-index', sql: pictureIndex },
  { version: 10, name: 'similar-steps', sql: similarSteps },
];
