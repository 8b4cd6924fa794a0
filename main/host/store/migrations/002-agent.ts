/*
 * Asking a case: conversations of questions, the runs that answered them, each step a run took and
 * the evidence it gave. Everything hangs off the case, so deleting a case deletes its conversations.
 * Times from the engine (runs, steps) are epoch milliseconds; times the user reads are ISO text.
 */
export default /* sql */ `
CREATE TABLE conversations (
  id         TEXT PRIMARY KEY,
  case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL
);
CREATE INDEX conversations_case ON conversations(case_id, created_at);

CREATE TABLE questions (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  ord             INTEGER NOT NULL,
  text            TEXT NOT NULL,
  asked_at        TEXT NOT NULL,
  UNIQUE (conversation_id, ord)
);

CREATE TABLE runs (
  id                 TEXT PRIMARY KEY,
  question_id        TEXT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
  -- running | answered | budget | canceled | failed | interrupted
  state              TEXT NOT NULL,
  -- Which process runs it, so another process opening the store does not take it for dead.
  owner_pid          INTEGER,
  owner_token        TEXT,
  backend            TEXT NOT NULL,
  model              TEXT,
  execution_provider TEXT,
  budget_json        TEXT NOT NULL,
  duration           REAL NOT NULL,
  started_at         REAL NOT NULL,
  first_event_at     REAL,
  ended_at           REAL,
  error              TEXT,
  exhausted          TEXT,
  tool_calls         INTEGER NOT NULL DEFAULT 0,
  frames             INTEGER NOT NULL DEFAULT 0,
  overview_json      TEXT,
  answer             TEXT,
  notes_json         TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX runs_question ON runs(question_id, started_at);
CREATE INDEX runs_state ON runs(state);

CREATE TABLE steps (
  run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx          INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  thought      TEXT NOT NULL,
  call_json    TEXT,
  checked_json TEXT,
  notes_json   TEXT NOT NULL,
  frames_json  TEXT NOT NULL,  -- [{time, ref}]
  signals_json TEXT,
  samples_json TEXT NOT NULL,
  error        TEXT,
  raw          TEXT,
  started_at   REAL NOT NULL,
  ended_at     REAL,
  PRIMARY KEY (run_id, idx)
);

CREATE TABLE evidence (
  id              TEXT PRIMARY KEY,
  run_id          TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rank            INTEGER NOT NULL,
  start_s         REAL NOT NULL,
  end_s           REAL NOT NULL,
  frames_json     TEXT NOT NULL,
  claim           TEXT NOT NULL,
  -- Filled by clinician review later; the original window above is never overwritten.
  status          TEXT NOT NULL DEFAULT 'unreviewed',
  corrected_start REAL,
  corrected_end   REAL,
  UNIQUE (run_id, rank)
);
`;
