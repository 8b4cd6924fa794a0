/*
 * Live recordings (operating-room mode). A row says where a recording's segments are written and
 * whether it ended cleanly: one still 'running' when no process is recording it was cut short by
 * a crash, and its complete segments are recovered into its case at the next start.
 */
export default /* sql */ `
CREATE TABLE recordings (
  id          TEXT PRIMARY KEY,
  case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  -- Relative to the data folder, so a moved data folder keeps its recordings.
  folder      TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('running', 'stopped', 'interrupted')),
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  -- The recording process: a row whose process is alive is not a crashed one.
  pid         INTEGER,
  source_json TEXT NOT NULL
);
CREATE INDEX recordings_state ON recordings(state);
`;
