import { OpscopeError } from '../core/errors.js';
import { APP_VERSION } from '../host/app/version.js';
import { USAGE, UsageError } from './usage.js';

const HELP = `Opscope ${APP_VERSION}: offline review of surgical video.

Usage:
  ${Object.values(USAGE).join('\n  ')}

The data folder is OPSCOPE_HOME, or the desktop app's user-data folder when unset.
`;

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand: a one-shot command should not pay for the server's modules.
const commands: Record<string, () => Promise<Command>> = {
  import: async () => (await import('./commands/import.js')).importCommand,
  cases: async () => (await import('./commands/cases.js')).casesCommand,
  ask: async () => (await import('./commands/ask.js')).askCommand,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
  frame: async () => (await import('./commands/frame.js')).frameCommand,
  ocr: async () => (await import('./commands/ocr.js')).ocrCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  feedback: async () => (await import('./commands/feedback.js')).feedbackCommand,
  bookmark: async () => (await import('./commands/bookmark.js')).bookmarkCommand,
  'export-feedback': async () => (await import('./commands/export-feedback.js')).exportFeedbackCommand,
  settings: async () => (await import('./commands/settings.js')).settingsCommand,
  audit: async () => (await import('./commands/audit.js')).auditCommand,
  record: async () => (await import('./commands/record.js')).recordCommand,
  pacs: async () => (await import('./commands/pacs.js')).pacsCommand,
  similar: async () => (await import('./commands/similar.js')).similarCommand,
  search: async () => (await import('./commands/search.js')).searchCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${APP_VERSION}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`opscope: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`opscope ${name}: ${(err as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`opscope ${name}: ${err instanceof OpscopeError || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
