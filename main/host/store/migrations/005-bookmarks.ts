/*
 * Bookmarks: moments a clinician marks in a case, often live while it is being recorded ("trocar
 * in", "bleeding here"), so that questions can be asked about them later ("what happened after the
 * second bookmark?"). A bookmark's number is not stored: it is its place in time order within the
 * case, so moving or deleting one renumbers the others the way a reader expects. Times are case
 * seconds; a bookmark goes with its case.
 */
export default /* sql */ `
CREATE TABLE bookmarks (
  id         TEXT PRIMARY KEY,
  case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  time       REAL NOT NULL CHECK (time >= 0),
  label      TEXT,
  created_at TEXT NOT NULL,
  -- Who set it: the reviewer name in the settings when there is one.
  created_by TEXT
);
CREATE INDEX bookmarks_case ON bookmarks(case_id, time);
`;
