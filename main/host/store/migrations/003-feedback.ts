/*
 * Clinician feedback on evidence: an append-only log. Every review (a verdict, a corrected window,
 * a comment) is a new row; the latest row of an item is its current review, and the earlier ones
 * stay as its history. Rows are never updated, and deleted only with their case (through the
 * evidence they belong to). Windows are case seconds.
 */
export default /* sql */ `
CREATE TABLE feedback (
  -- Insertion order: the latest review of an item is its row with the highest seq.
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT NOT NULL UNIQUE,
  evidence_id TEXT NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
  verdict     TEXT NOT NULL CHECK (verdict IN ('correct', 'incorrect', 'adjusted')),
  -- The corrected window: set for 'adjusted' only.
  start_s     REAL,
  end_s       REAL,
  comment     TEXT,
  reviewer    TEXT NOT NULL CHECK (length(reviewer) > 0),
  created_at  TEXT NOT NULL,
  CHECK (
    (verdict = 'adjusted' AND start_s IS NOT NULL AND end_s IS NOT NULL AND start_s >= 0 AND start_s < end_s)
    OR (verdict <> 'adjusted' AND start_s IS NULL AND end_s IS NULL)
  )
);
CREATE INDEX feedback_evidence ON feedback(evidence_id, seq);

CREATE TRIGGER feedback_no_update BEFORE UPDATE ON feedback
BEGIN
  SELECT RAISE(ABORT, 'feedback is append-only: add a new review instead');
END;

-- A cascade from a deleted case has already removed the evidence row, so it passes.
CREATE TRIGGER feedback_no_delete BEFORE DELETE ON feedback
WHEN EXISTS (SELECT 1 FROM evidence WHERE id = OLD.evidence_id)
BEGIN
  SELECT RAISE(ABORT, 'feedback is append-only: it is deleted only with its case');
END;

-- The evidence row mirrors its current review (the original window there is never changed), so
-- readers of a conversation see each item's status without reading the log.
CREATE TRIGGER feedback_current AFTER INSERT ON feedback
BEGIN
  UPDATE evidence SET status = NEW.verdict, corrected_start = NEW.start_s, corrected_end = NEW.end_s
  WHERE id = NEW.evidence_id;
END;
`;
