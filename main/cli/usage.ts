/** How each command is called: shown by `opscope help` and in usage errors. */
export const USAGE = {
  import: 'opscope import <file...> [--name NAME] [--no-index] [--separate] [--json]',
  cases: 'opscope cases [--json]',
  ask: 'opscope ask <caseId|video-file> "<question>" [--backend NAME] [--json]',
  frame: 'opscope frame <caseId> <seconds|HH:MM:SS.mmm> --out FILE.png [--json]',
  settings: 'opscope settings [set KEY=VALUE...] [--json]',
  doctor: 'opscope doctor [--json]',
  serve: 'opscope serve [--port N]',
} as const;

/** A command called the wrong way: reported with its usage, exit code 2. */
export class UsageError extends Error {}
