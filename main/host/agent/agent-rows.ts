/** Row shapes of the agent's tables (migration 002) as SQLite returns them. */
export interface ConversationRow {
  id: string;
  case_id: string;
  created_at: string;
}

export interface QuestionRow {
  id: string;
  conversation_id: string;
  ord: number;
  text: string;
  asked_at: string;
}

export interface RunRow {
  id: string;
  question_id: string;
  state: string;
  owner_pid: number | null;
  owner_token: string | null;
  backend: string;
  model: string | null;
  execution_provider: string | null;
  budget_json: string;
  duration: number;
  started_at: number;
  first_event_at: number | null;
  ended_at: number | null;
  error: string | null;
  exhausted: string | null;
  tool_calls: number;
  frames: number;
  overview_json: string | null;
  answer: string | null;
  notes_json: string;
}

export interface StepRow {
  run_id: string;
  idx: number;
  kind: string;
  thought: string;
  call_json: string | null;
  checked_json: string | null;
  notes_json: string;
  frames_json: string;
  signals_json: string | null;
  samples_json: string;
  /** A find_similar step's windows (migration 010); null for other steps. */
  windows_json: string | null;
  error: string | null;
  raw: string | null;
  started_at: number;
  ended_at: number | null;
}

export interface EvidenceRow {
  id: string;
  run_id: string;
  rank: number;
  start_s: number;
  end_s: number;
  frames_json: string;
  claim: string;
  /** [{time, box}] as JSON; null when the evidence has no boxes. */
  boxes_json: string | null;
  status: string;
  corrected_start: number | null;
  corrected_end: number | null;
}
