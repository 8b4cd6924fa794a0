/** How each command is called: shown by `opscope help` and in usage errors. */
export const USAGE = {
  import: 'opscope import <file|folder|DICOMDIR...> [--name NAME] [--no-index] [--separate] [--json]',
  cases: 'opscope cases [--json]',
  ask: 'opscope ask <caseId|video-file> "<question>" [--backend NAME] [--json]',
  eval:
    'opscope eval <bench.jsonl> [--backend scout|onnx|openai] [--json] [--report DIR] [--fresh]\n' +
    '  opscope eval --format medvidbench FILE.json [--root DIR] [--limit N] [--backend NAME] [--json] [--submission OUT.json] [--fresh]',
  frame: 'opscope frame <caseId> <seconds|HH:MM:SS.mmm> --out FILE.png [--json]',
  ocr: 'opscope ocr <caseId> <seconds|HH:MM:SS.mmm> [--json]',
  export:
    'opscope export <caseId> (--evidence ID | --start S --end E) --out FILE.mp4 [--captions none|vtt|burn] [--stream-copy]\n' +
    '    [--keep-audio] [--keep-metadata] [--title TEXT] [--overwrite] [--json]\n' +
    '    [--deidentify [--mask blur|box] [--out-of-body blur|card|none] [--mask-add X,Y,W,H]... [--mask-remove X,Y,W,H]... [--no-ocr]\n' +
    '      [--people blur|box|none] [--people-add X,Y,W,H]... [--people-remove X,Y,W,H]...]',
  feedback:
    'opscope feedback <evidenceId> --verdict correct|incorrect|adjusted [--start S --end E] [--note TEXT] [--reviewer NAME] [--json]\n' +
    '  opscope feedback --history <evidenceId> | --list unreviewed|flagged|confirmed|all [--case ID] [--json]',
  'export-feedback': 'opscope export-feedback --out FILE.jsonl [--case ID] [--force] [--json]',
  bookmark:
    'opscope bookmark add <caseId> [--at SECONDS|HH:MM:SS.mmm] [--label TEXT] [--json]\n' +
    '  opscope bookmark list <caseId> [--json] | opscope bookmark delete <bookmarkId> [--json]',
  settings: 'opscope settings [set KEY=VALUE...] [--json]',
  audit: 'opscope audit [--json] [--limit N] [--out FILE.csv|FILE.jsonl [--force]]',
  record:
    'opscope record (--device NAME | --replay FILE) [--name NAME | --continue CASE_ID] [--duration SECONDS]\n' +
    '    [--segment-seconds N] [--json]',
  pacs:
    'opscope pacs search [--patient ID] [--name NAME] [--date YYYYMMDD[-YYYYMMDD]] [--modality ES]... [--json]\n' +
    '  opscope pacs get <StudyInstanceUID> [--series UID] [--no-index] [--json] | opscope pacs send CLIP.mp4 [--json]',
  similar: 'opscope similar <caseId> <seconds|HH:MM:SS> [--box X,Y,W,H] [--all-cases] [--limit N] [--json]',
  search: 'opscope search "<query>" [--limit N] [--json]',
  doctor: 'opscope doctor [--json]',
  serve: 'opscope serve [--port N] [--open]',
} as const;

/** A command called the wrong way: reported with its usage, exit code 2. */
export class UsageError extends Error {}
