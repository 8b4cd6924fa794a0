import { OpscopeError } from '../core/errors.js';
import { APP_VERSION } from '../host/version.js';
import { casesCommand } from './commands/cases.js';
import { doctorCommand } from './commands/doctor.js';
import { frameCommand, frameUsage } from './commands/frame.js';
import { importCommand, importUsage } from './commands/import.js';
import { serveCommand, serveUsage } from './commands/serve.js';
import { UsageError } from './context.js';

const HELP = `Opscope ${APP_VERSION}: offline review of surgical video.

Usage:
  ${importUsage}
  opscope cases [--json]
  ${frameUsage}
  opscope doctor [--json]
  ${serveUsage}

The data folder is OPSCOPE_HOME, or the desktop app's user-data folder when unset.
`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  import: importCommand,
  cases: casesCommand,
  frame: frameCommand,
  doctor: doctorCommand,
  serve: serveCommand,
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
  const command = commands[name];
  if (!command) {
    process.stderr.write(`opscope: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
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
