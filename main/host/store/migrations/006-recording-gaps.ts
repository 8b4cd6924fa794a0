/*
 * Live recordings that survive their source and their recorder. The ffmpeg that writes a
 * recording's segments is kept by pid so a crashed app can stop it at the next start (it may still
 * be reading the device); gaps are what a case recorded live is missing, shown on its timeline:
 * the device was unplugged, the recorder restarted, or the app crashed and the recording was
 * continued.
 */
export default /* sql */ `
ALTER TABLE recordings ADD COLUMN ffmpeg_pid INTEGER;
CREATE TABLE recording_gaps (
  id           INTEGER PRIMARY KEY,
  case_id      TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  recording_id TEXT REFERENCES recordings(id) ON DELETE SET NULL,
  -- Case time where recording resumed: the boundary between the parts either side of the gap.
  at           REAL NOT NULL CHECK (at >= 0),
  seconds      REAL NOT NULL CHECK (seconds >= 0),
  reason       TEXT NOT NULL CHECK (reason IN ('source-lost', 'recorder-restarted', 'interrupted')),
  created_at   TEXT NOT NULL
);
CREATE INDEX recording_gaps_case ON recording_gaps(case_id, at);
`;
