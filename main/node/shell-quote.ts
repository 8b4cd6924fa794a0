/**
 * A command line as text a user can paste into a shell and get the same program with the same
 * arguments: POSIX sh quoting, or on Windows the quoting cmd.exe and the C runtime's argument
 * parser undo (the rules of "Everyone quotes command line arguments the wrong way", D. Colascione).
 */
export function quoteCommandLine(argv: readonly string[], platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32') return argv.map(quotePosix).join(' ');
  const [program, ...args] = argv;
  return [quoteWindowsProgram(program ?? ''), ...args.map(quoteWindowsArg)].join(' ');
}

const POSIX_PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quotePosix(arg: string): string {
  if (POSIX_PLAIN.test(arg)) return arg;
  // A line break or other control character stays on one line in ANSI-C quoting (bash, zsh, ksh,
  // and POSIX sh since 2024).
  if (/[\u0000-\u001f\u007f]/.test(arg)) return `$'${arg.replace(/[\\'\u0000-\u001f\u007f]/g, ansiEscape)}'`;
  // Inside single quotes nothing is special; a single quote itself ends, is escaped, and reopens.
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

const ANSI_NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\\': '\\\\', "'": "\\'" };

function ansiEscape(ch: string): string {
  return ANSI_NAMED[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

const WINDOWS_PLAIN = /^[A-Za-z0-9_@+=:,./\\-]+$/;
const CMD_SPECIAL = /[()%!^"<>&|]/g;

/**
 * An argument for the C runtime's parser (CommandLineToArgvW rules: backslashes are literal
 * unless they precede a quote), then every character cmd.exe would act on escaped with ^, so cmd
 * never enters its own quoting and passes the line through unchanged.
 */
export function quoteWindowsArg(arg: string): string {
  if (WINDOWS_PLAIN.test(arg)) return arg;
  let quoted = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') quoted += '\\'.repeat(backslashes * 2 + 1) + '"';
    else quoted += '\\'.repeat(backslashes) + ch;
    backslashes = 0;
  }
  quoted += '\\'.repeat(backslashes * 2) + '"';
  return quoted.replace(CMD_SPECIAL, '^$&');
}

/**
 * cmd.exe finds the program name by its own rules, which do not know ^": a program path goes in
 * plain double quotes (a Windows path cannot hold a quote).
 */
function quoteWindowsProgram(program: string): string {
  return WINDOWS_PLAIN.test(program) ? program : `"${program}"`;
}
