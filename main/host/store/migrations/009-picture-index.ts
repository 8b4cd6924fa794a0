/*
 * The picture index and the library's text search.
 *
 * picture_frames: one row per embedded keyframe of a part (part seconds), its embedding quantised
 * to int8 with one scale (see core/similar/embedding-codec.ts), and its sketch, which a query
 * scans first. picture_chunks: the stretches of a part already embedded, so building resumes
 * where it stopped and a changed model is noticed. Both go with their part.
 *
 * library_text: SQLite FTS5 over the words of a case — questions, answers, review comments,
 * bookmark labels — kept in step with those tables by triggers, so no writer has to remember it.
 * Rows name their source (kind, ref_id); where the moment is (evidence window, bookmark time) is
 * read from the source when searching, so a moved bookmark needs no update here.
 */
export default /* sql */ `
CREATE TABLE picture_frames (
  id           INTEGER PRIMARY KEY,
  part_id      TEXT NOT NULL REFERENCES parts(id) ON DELETE CASCADE,
  time         REAL NOT NULL,
  scale        REAL NOT NULL,
  vector       BLOB NOT NULL,
  sketch_scale REAL NOT NULL,
  sketch       BLOB NOT NULL
);
CREATE INDEX picture_frames_part ON picture_frames(part_id, time);

CREATE TABLE picture_chunks (
  part_id TEXT NOT NULL REFERENCES parts(id) ON DELETE CASCADE,
  chunk   INTEGER NOT NULL,
  model   TEXT NOT NULL,
  frames  INTEGER NOT NULL,
  PRIMARY KEY (part_id, chunk)
);

CREATE VIRTUAL TABLE library_text USING fts5(
  text, case_id UNINDEXED, kind UNINDEXED, ref_id UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER library_question_in AFTER INSERT ON questions BEGIN
  INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT NEW.text, c.case_id, 'question', NEW.id FROM conversations c WHERE c.id = NEW.conversation_id;
END;
CREATE TRIGGER library_question_out AFTER DELETE ON questions BEGIN
  DELETE FROM library_text WHERE kind = 'question' AND ref_id = OLD.id;
END;

CREATE TRIGGER library_answer_in AFTER INSERT ON runs WHEN NEW.answer IS NOT NULL AND NEW.answer <> '' BEGIN
  INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT NEW.answer, c.case_id, 'answer', NEW.id FROM questions q JOIN conversations c ON c.id = q.conversation_id WHERE q.id = NEW.question_id;
END;
CREATE TRIGGER library_answer_set AFTER UPDATE OF answer ON runs BEGIN
  DELETE FROM library_text WHERE kind = 'answer' AND ref_id = NEW.id;
  INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT NEW.answer, c.case_id, 'answer', NEW.id FROM questions q JOIN conversations c ON c.id = q.conversation_id
  WHERE q.id = NEW.question_id AND NEW.answer IS NOT NULL AND NEW.answer <> '';
END;
CREATE TRIGGER library_answer_out AFTER DELETE ON runs BEGIN
  DELETE FROM library_text WHERE kind = 'answer' AND ref_id = OLD.id;
END;

CREATE TRIGGER library_comment_in AFTER INSERT ON feedback WHEN NEW.comment IS NOT NULL AND NEW.comment <> '' BEGIN
  INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT NEW.comment, c.case_id, 'comment', NEW.id
  FROM evidence e JOIN runs r ON r.id = e.run_id JOIN questions q ON q.id = r.question_id JOIN conversations c ON c.id = q.conversation_id
  WHERE e.id = NEW.evidence_id;
END;
CREATE TRIGGER library_comment_out AFTER DELETE ON feedback BEGIN
  DELETE FROM library_text WHERE kind = 'comment' AND ref_id = OLD.id;
END;

CREATE TRIGGER library_bookmark_in AFTER INSERT ON bookmarks WHEN NEW.label IS NOT NULL AND NEW.label <> '' BEGIN
  INSERT INTO library_text (text, case_id, kind, ref_id) VALUES (NEW.label, NEW.case_id, 'bookmark', NEW.id);
END;
CREATE TRIGGER library_bookmark_set AFTER UPDATE OF label ON bookmarks BEGIN
  DELETE FROM library_text WHERE kind = 'bookmark' AND ref_id = NEW.id;
  INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT NEW.label, NEW.case_id, 'bookmark', NEW.id WHERE NEW.label IS NOT NULL AND NEW.label <> '';
END;
CREATE TRIGGER library_bookmark_out AFTER DELETE ON bookmarks BEGIN
  DELETE FROM library_text WHERE kind = 'bookmark' AND ref_id = OLD.id;
END;

CREATE TRIGGER library_case_out AFTER DELETE ON cases BEGIN
  DELETE FROM library_text WHERE case_id = OLD.id;
END;

-- What the library already holds.
INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT q.text, c.case_id, 'question', q.id FROM questions q JOIN conversations c ON c.id = q.conversation_id;
INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT r.answer, c.case_id, 'answer', r.id FROM runs r JOIN questions q ON q.id = r.question_id JOIN conversations c ON c.id = q.conversation_id
  WHERE r.answer IS NOT NULL AND r.answer <> '';
INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT f.comment, c.case_id, 'comment', f.id
  FROM feedback f JOIN evidence e ON e.id = f.evidence_id JOIN runs r ON r.id = e.run_id JOIN questions q ON q.id = r.question_id JOIN conversations c ON c.id = q.conversation_id
  WHERE f.comment IS NOT NULL AND f.comment <> '';
INSERT INTO library_text (text, case_id, kind, ref_id)
  SELECT label, case_id, 'bookmark', id FROM bookmarks WHERE label IS NOT NULL AND label <> '';
`;
