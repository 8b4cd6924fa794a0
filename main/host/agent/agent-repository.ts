/*
 * Persistence of asking a case. A run is written twice: a 'running' row when it starts (so a
 * process that dies mid-run leaves a trace, and its steps as they finish), then the whole record
 * in one transaction when it ends. A reader never sees a half-written ending.
 */

import { randomUUID } from 'node:crypto';
import type { Conversation, RunState, StoredEvidence, StoredQuestion, StoredRun } from '../../core/contract/agent-schemas.js';
import type { AgentBudget, ConversationTurn, RunRecord, StepRecord } from '../../core/agent/engine/index.js';
import { newId } from '../../node/ids.js';
import { Repository, type WritableDB } from '../store/db.js';
import type { ConversationRow, EvidenceRow, QuestionRow, RunRow, StepRow } from './agent-rows.js';

export interface RunStart {
  runId: string;
  caseId: string;
  /** Continue this conversation; a new one is made when absent. */
  conversationId?: string | null;
  question: string;
  backend: string;
  model: string | null;
  executionProvider: string | null;
  budget: AgentBudget;
  duration: number;
  /** Epoch ms. */
  startedAt: number;
}

export interface RunEnding {
  executionProvider?: string | null;
  /** Stored instead of the record's outcome, e.g. 'interrupted' when the host closed mid-run. */
  state?: RunState;
  /** Replaces the record's error (with `state`). */
  error?: string | null;
}

/** An evidence item as an export uses it: the window to cut (corrected when it was) and its context. */
export interface EvidenceItem {
  id: string;
  runId: string;
  start: number;
  end: number;
  corrected: boolean;
  frames: number[];
  claim: string;
  status: string;
  question: string;
  answer: string | null;
  caseId: string;
}

export const INTERRUPTED_ERROR = 'Opscope stopped before this run finished.';

/** Stores of this process that are open: their 'running' runs are alive. */
const openOwners = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const parse = <T>(text: string | null, fallback: T): T => (text === null ? fallback : (JSON.parse(text) as T));
const isoNow = () => new Date().toISOString();

/** A backend may hand over a call of any shape; what is stored is always {name, arguments}. */
function rawCall(call: unknown): { name: string; arguments: unknown } | null {
  if (typeof call !== 'object' || call === null) return null;
  const c = call as { name?: unknown; arguments?: unknown };
  return { name: typeof c.name === 'string' ? c.name : String(c.name ?? ''), arguments: c.arguments ?? null };
}

export class AgentStore extends Repository {
  /** Marks this store's runs as owned by a live host. */
  private readonly owner = randomUUID();

  constructor(db: WritableDB) {
    super(db);
    openOwners.add(this.owner);
  }

  release(): void {
    openOwners.delete(this.owner);
  }

  // ---- writing

  /** The 'running' row, with its question and (when new) its conversation, in one transaction. */
  startRun(start: RunStart): { conversationId: string; questionId: string } {
    return this.db.transaction(() => {
      let conversationId = start.conversationId ?? null;
      if (conversationId === null) {
        conversationId = newId();
        this.db.prepare('INSERT INTO conversations (id, case_id, created_at) VALUES (?, ?, ?)').run(conversationId, start.caseId, isoNow());
      }
      const { n } = this.read
        .prepare('SELECT COALESCE(MAX(ord), -1) + 1 AS n FROM questions WHERE conversation_id = ?')
        .get(conversationId) as { n: number };
      const questionId = newId();
      this.db
        .prepare('INSERT INTO questions (id, conversation_id, ord, text, asked_at) VALUES (?, ?, ?, ?, ?)')
        .run(questionId, conversationId, n, start.question, isoNow());
      this.db
        .prepare(
          `INSERT INTO runs (id, question_id, state, owner_pid, owner_token, backend, model, execution_provider, budget_json,
             duration, started_at) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          start.runId, questionId, process.pid, this.owner, start.backend, start.model, start.executionProvider,
          json(start.budget), start.duration, start.startedAt,
        );
      return { conversationId, questionId };
    })();
  }

  /** A step that has finished while the run goes on; replaced by the final record. */
  checkpointStep(runId: string, step: StepRecord): void {
    this.insertStep(runId, step, 'INSERT OR REPLACE');
  }

  /**
   * The run's ending, its steps and evidence, in one transaction. False when the run is gone
   * (its case was deleted while it ran).
   */
  finishRun(record: RunRecord, ending: RunEnding = {}): boolean {
    return this.db.transaction(() => {
      const exists = this.read.prepare('SELECT 1 FROM runs WHERE id = ?').get(record.runId);
      if (!exists) return false;
      const state = ending.state ?? record.outcome;
      const error = ending.error !== undefined ? ending.error : record.error;
      this.db
        .prepare(
          `UPDATE runs SET state = @state, owner_pid = NULL, owner_token = NULL, backend = @backend, model = @model,
             execution_provider = COALESCE(@ep, execution_provider), budget_json = @budget, duration = @duration,
             started_at = @startedAt, first_event_at = @firstEventAt, ended_at = @endedAt, error = @error,
             exhausted = @exhausted, tool_calls = @toolCalls, frames = @frames, overview_json = @overview,
             answer = @answer, notes_json = @notes
           WHERE id = @id`,
        )
        .run({
          id: record.runId,
          state,
          backend: record.backend.name,
          model: record.backend.model,
          ep: ending.executionProvider ?? null,
          budget: json(record.budget),
          duration: record.duration,
          startedAt: record.timings.startedAt,
          firstEventAt: record.timings.firstEventAt,
          endedAt: record.timings.endedAt,
          error,
          exhausted: record.exhausted,
          toolCalls: record.usage.toolCalls,
          frames: record.usage.frames,
          overview: record.overview ? json(record.overview) : null,
          answer: record.answer,
          notes: json(record.notes),
        });
      this.db.prepare('DELETE FROM steps WHERE run_id = ?').run(record.runId);
      for (const step of record.steps) this.insertStep(record.runId, step, 'INSERT');
      this.db.prepare('DELETE FROM evidence WHERE run_id = ?').run(record.runId);
      const put = this.db.prepare(
        `INSERT INTO evidence (id, run_id, rank, start_s, end_s, frames_json, claim, boxes_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const e of record.evidence) {
        put.run(e.id, record.runId, e.rank, e.start, e.end, json(e.frames), e.claim, e.boxes?.length ? json(e.boxes) : null);
      }
      return true;
    })();
  }

  /** Start and ending at once, for a run that was not streamed (imports, tests). */
  saveRun(start: Omit<RunStart, 'runId'>, record: RunRecord, ending: RunEnding = {}): { conversationId: string; questionId: string } {
    return this.db.transaction(() => {
      const ids = this.startRun({ ...start, runId: record.runId });
      this.finishRun(record, ending);
      return ids;
    })();
  }

  /**
   * Runs left 'running' by a process that is gone cannot still be running. Runs of a live process
   * (the desktop app while a CLI command opens the store) are left alone.
   */
  markInterrupted(): number {
    const rows = this.read
      .prepare(`SELECT id, owner_pid, owner_token FROM runs WHERE state = 'running'`)
      .all() as Pick<RunRow, 'id' | 'owner_pid' | 'owner_token'>[];
    const dead = rows.filter((r) => {
      if (r.owner_pid === null) return true;
      if (r.owner_pid === process.pid) return r.owner_token === null || !openOwners.has(r.owner_token);
      return !processAlive(r.owner_pid);
    });
    const mark = this.db.prepare(
      `UPDATE runs SET state = 'interrupted', error = ?, owner_pid = NULL, owner_token = NULL WHERE id = ? AND state = 'running'`,
    );
    this.db.transaction(() => dead.forEach((r) => mark.run(INTERRUPTED_ERROR, r.id)))();
    return dead.length;
  }

  private insertStep(runId: string, s: StepRecord, verb: 'INSERT' | 'INSERT OR REPLACE'): void {
    this.db
      .prepare(
        `${verb} INTO steps (run_id, idx, kind, thought, call_json, checked_json, notes_json, frames_json, signals_json,
           samples_json, windows_json, error, raw, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId, s.index, s.kind, s.thought, s.call ? json(rawCall(s.call)) : null, s.checked ? json(s.checked) : null,
        json(s.notes), json(s.frames), s.signals ? json(s.signals) : null, json(s.samples), s.windows ? json(s.windows) : null, s.error, s.raw,
        s.startedAt, s.endedAt,
      );
  }

  // ---- reading

  conversationCase(conversationId: string): string | undefined {
    const row = this.read.prepare('SELECT case_id FROM conversations WHERE id = ?').get(conversationId) as
      | { case_id: string }
      | undefined;
    return row?.case_id;
  }

  /**
   * One evidence item with the question and answer it came from, its window as the clinician
   * corrected it when they did; undefined for an unknown item.
   */
  evidenceItem(evidenceId: string): EvidenceItem | undefined {
    const row = this.read
      .prepare(
        `SELECT e.id, e.run_id, e.start_s, e.end_s, e.frames_json, e.claim, e.status, e.corrected_start, e.corrected_end,
                q.text AS question, r.answer, c.case_id
         FROM evidence e JOIN runs r ON r.id = e.run_id JOIN questions q ON q.id = r.question_id
         JOIN conversations c ON c.id = q.conversation_id WHERE e.id = ?`,
      )
      .get(evidenceId) as
      | {
          id: string; run_id: string; start_s: number; end_s: number; frames_json: string; claim: string; status: string;
          corrected_start: number | null; corrected_end: number | null; question: string; answer: string | null; case_id: string;
        }
      | undefined;
    if (!row) return undefined;
    const corrected = row.corrected_start !== null && row.corrected_end !== null && row.corrected_end > row.corrected_start;
    let frames: number[] = [];
    try {
      const parsed = JSON.parse(row.frames_json) as unknown;
      if (Array.isArray(parsed)) frames = parsed.filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
    } catch {
      frames = [];
    }
    return {
      id: row.id,
      runId: row.run_id,
      start: corrected ? row.corrected_start! : row.start_s,
      end: corrected ? row.corrected_end! : row.end_s,
      corrected,
      frames,
      claim: row.claim,
      status: row.status,
      question: row.question,
      answer: row.answer,
      caseId: row.case_id,
    };
  }

  /** Where a run belongs and how it stands; undefined for an unknown run. */
  runInfo(runId: string): { state: RunState; caseId: string; conversationId: string } | undefined {
    const row = this.read
      .prepare(
        `SELECT r.state, c.case_id, c.id AS conversation_id FROM runs r JOIN questions q ON q.id = r.question_id
         JOIN conversations c ON c.id = q.conversation_id WHERE r.id = ?`,
      )
      .get(runId) as { state: RunState; case_id: string; conversation_id: string } | undefined;
    return row && { state: row.state, caseId: row.case_id, conversationId: row.conversation_id };
  }

  /** A case's conversations, oldest first, each with its questions, runs, steps and evidence in order. */
  conversations(caseId: string, conversationId?: string): Conversation[] {
    const rows = (
      conversationId === undefined
        ? this.read.prepare('SELECT * FROM conversations WHERE case_id = ? ORDER BY created_at, id').all(caseId)
        : this.read.prepare('SELECT * FROM conversations WHERE case_id = ? AND id = ?').all(caseId, conversationId)
    ) as ConversationRow[];
    return rows.map((c) => ({ id: c.id, caseId: c.case_id, createdAt: c.created_at, questions: this.questions(c.id) }));
  }

  /** The earlier turns a follow-up builds on: each question with the last answer it got. */
  history(conversationId: string): ConversationTurn[] {
    const turns: ConversationTurn[] = [];
    for (const q of this.questions(conversationId)) {
      const answered = q.runs.filter((r) => r.state === 'answered').at(-1);
      if (!answered) continue;
      const evidence = answered.evidence.map(({ id, rank, start, end, frames, claim }) => ({ id, rank, start, end, frames, claim }));
      turns.push({ question: q.text, answer: answered.answer ?? '', evidence });
    }
    return turns;
  }

  private questions(conversationId: string): StoredQuestion[] {
    const rows = this.read
      .prepare('SELECT * FROM questions WHERE conversation_id = ? ORDER BY ord')
      .all(conversationId) as QuestionRow[];
    const runsOf = this.read.prepare('SELECT * FROM runs WHERE question_id = ? ORDER BY started_at, id');
    return rows.map((q) => ({
      id: q.id,
      text: q.text,
      askedAt: q.asked_at,
      runs: (runsOf.all(q.id) as RunRow[]).map((r) => this.run(r)),
    }));
  }

  private run(r: RunRow): StoredRun {
    const steps = this.read.prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY idx').all(r.id) as StepRow[];
    const evidence = this.read.prepare('SELECT * FROM evidence WHERE run_id = ? ORDER BY rank').all(r.id) as EvidenceRow[];
    return {
      runId: r.id,
      questionId: r.question_id,
      state: r.state as RunState,
      backend: { name: r.backend, model: r.model },
      executionProvider: r.execution_provider,
      budget: parse(r.budget_json, { maxToolCalls: 0, maxFrames: 0, maxWallMs: 0 }),
      duration: r.duration,
      timings: { startedAt: r.started_at, firstEventAt: r.first_event_at, endedAt: r.ended_at },
      error: r.error,
      exhausted: r.exhausted as StoredRun['exhausted'],
      usage: { toolCalls: r.tool_calls, frames: r.frames },
      overview: parse(r.overview_json, null),
      steps: steps.map(stepOf),
      evidence: evidence.map(evidenceOf),
      answer: r.answer,
      notes: parse(r.notes_json, []),
    };
  }
}

function stepOf(s: StepRow): StepRecord {
  return {
    index: s.idx,
    kind: s.kind as StepRecord['kind'],
    thought: s.thought,
    call: parse(s.call_json, null),
    checked: parse(s.checked_json, null),
    notes: parse(s.notes_json, []),
    frames: parse(s.frames_json, []),
    signals: parse(s.signals_json, null),
    samples: parse(s.samples_json, []),
    ...(s.windows_json ? { windows: parse(s.windows_json, []) } : {}),
    error: s.error,
    raw: s.raw,
    startedAt: s.started_at,
    endedAt: s.ended_at,
  };
}

function evidenceOf(e: EvidenceRow): StoredEvidence {
  return {
    id: e.id,
    runId: e.run_id,
    rank: e.rank,
    start: e.start_s,
    end: e.end_s,
    frames: parse(e.frames_json, []),
    claim: e.claim,
    ...(e.boxes_json ? { boxes: parse(e.boxes_json, []) } : {}),
    status: e.status,
    correctedStart: e.corrected_start,
    correctedEnd: e.corrected_end,
  };
}
