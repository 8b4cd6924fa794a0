/** Row shapes as SQLite returns them. */
export interface CaseRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  is_demo: number;
  view_json: string | null;
}

export interface PartRow {
  id: string;
  case_id: string;
  ord: number;
  path: string;
  file_name: string;
  size: number;
  mtime_ms: number;
  fingerprint: string;
  duration: number;
  start_time: number;
  width: number;
  height: number;
  fps: number;
  vfr: number;
  codec: string;
  container: string;
  rotation: number;
  has_audio: number;
  keyframe_interval: number | null;
  creation_time: string | null;
  playback: string;
  probe_json: string;
  created_at: string;
}

export interface IndexStateRow {
  part_id: string;
  state: string;
  progress: number;
  stage: string;
  message: string | null;
  version: number;
  updated_at: string;
}
