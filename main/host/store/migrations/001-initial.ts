export default /* sql */ `
CREATE TABLE cases (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  is_demo     INTEGER NOT NULL DEFAULT 0,
  view_json   TEXT
);

CREATE TABLE parts (
  id                TEXT PRIMARY KEY,
  case_id           TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  ord               INTEGER NOT NULL,
  path              TEXT NOT NULL,
  file_name         TEXT NOT NULL,
  size              INTEGER NOT NULL,
  mtime_ms          REAL NOT NULL,
  fingerprint       TEXT NOT NULL,
  duration          REAL NOT NULL,
  start_time        REAL NOT NULL,
  width             INTEGER NOT NULL,
  height            INTEGER NOT NULL,
  fps               REAL NOT NULL,
  vfr               INTEGER NOT NULL,
  codec             TEXT NOT NULL,
  container         TEXT NOT NULL,
  rotation          REAL NOT NULL,
  has_audio         INTEGER NOT NULL,
  keyframe_interval REAL,
  creation_time     TEXT,
  playback          TEXT NOT NULL,
  probe_json        TEXT NOT NULL,
  created_at        TEXT NOT NULL
);
CREATE INDEX parts_case ON parts(case_id, ord);
CREATE INDEX parts_fingerprint ON parts(fingerprint);

-- Everything learned from reading the packets: exact frame timestamps, keyframes, packet sizes.
CREATE TABLE part_timing (
  part_id      TEXT PRIMARY KEY REFERENCES parts(id) ON DELETE CASCADE,
  frame_times  BLOB NOT NULL,  -- Float64 seconds from part start, ascending
  packet_times BLOB NOT NULL,  -- Float64, decode order
  packet_sizes BLOB NOT NULL,  -- Uint32
  packet_keys  BLOB NOT NULL,  -- Uint8
  fov_mask     BLOB,           -- Uint8 per pixel of the analysis frame
  fov_width    INTEGER,
  fov_height   INTEGER
);

CREATE TABLE index_state (
  part_id    TEXT PRIMARY KEY REFERENCES parts(id) ON DELETE CASCADE,
  state      TEXT NOT NULL,
  progress   REAL NOT NULL,
  stage      TEXT NOT NULL,
  message    TEXT,
  version    INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);

-- Partial results that make indexing resumable; removed when the part's tracks are final.
CREATE TABLE index_chunks (
  part_id      TEXT NOT NULL REFERENCES parts(id) ON DELETE CASCADE,
  chunk        INTEGER NOT NULL,
  from_s       REAL NOT NULL,
  to_s         REAL NOT NULL,
  samples_json TEXT NOT NULL,
  thumbs_json  TEXT NOT NULL,
  PRIMARY KEY (part_id, chunk)
);

CREATE TABLE tracks (
  part_id TEXT NOT NULL REFERENCES parts(id) ON DELETE CASCADE,
  name    TEXT NOT NULL,
  rate    REAL NOT NULL,
  data    BLOB NOT NULL,  -- Float32 raw values
  PRIMARY KEY (part_id, name)
);

CREATE TABLE thumbnails (
  part_id   TEXT PRIMARY KEY REFERENCES parts(id) ON DELETE CASCADE,
  meta_json TEXT NOT NULL
);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value_json TEXT NOT NULL
);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  subject     TEXT,
  detail_json TEXT
);
`;
