import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './cli.js';

/** How to run `opscope` as someone file permissions apply to. */
export interface Unprivileged {
  /** For messages. */
  who: string;
  /** Put before `node bin/opscope.js ...`. */
  prefix: string[];
  uid?: number;
  gid?: number;
}

const NOBODY = 65534;

/**
 * Runs the probe as `as`: the command must load from this checkout, and a file of mode 000 must be
 * refused to it (root reads everything; the tests need someone who cannot).
 */
function works(as: Unprivileged): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'opscope-unpriv-'));
  try {
    const locked = join(dir, 'locked');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    chmodSync(dir, 0o755);
    const script =
      `try { require('node:fs').readFileSync(${JSON.stringify(locked)}); console.log('reads a mode-000 file'); process.exit(3); }` +
      ` catch (e) { if (e.code !== 'EACCES') { console.log(e.message); process.exit(4); } }`;
    const opts = { cwd: dir, encoding: 'utf8' as const, timeout: 30_000, ...(as.uid !== undefined ? { uid: as.uid, gid: as.gid ?? as.uid } : {}) };
    const run = (args: string[]) => {
      const [command, ...rest] = [...as.prefix, process.execPath, ...args];
      const r = spawnSync(command!, rest, opts);
      return r.error ? r.error.message : r.status === 0 ? null : (r.stdout + r.stderr).trim().split('\n').slice(-1)[0] || `exit ${r.status}`;
    };
    const bound = run(['-e', script]);
    if (bound) return `${as.who}: ${bound}`;
    const loads = run([BIN, '--version']);
    return loads ? `${as.who} cannot run ${BIN}: ${loads}` : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let found: Unprivileged | { skip: string } | undefined;

/**
 * Someone to run `opscope` as whom permission errors reach, or why there is none here. Another
 * user cannot enter a checkout that lives in a folder only its owner can read (root's home on
 * Debian is 0700), so root runs the command as itself without the capabilities that let it ignore
 * file permissions (setpriv); an unprivileged user only where that is not possible.
 */
export function unprivileged(): Unprivileged | { skip: string } {
  if (found) return found;
  if (process.platform === 'win32') return (found = { skip: 'Windows files are not locked by mode bits' });
  if (process.getuid?.() !== 0) return (found = { who: 'this user', prefix: [] });
  const candidates: Unprivileged[] = [
    { who: 'root without capabilities', prefix: ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--'] },
    { who: `user ${NOBODY}`, prefix: [], uid: NOBODY, gid: NOBODY },
  ];
  const failures: string[] = [];
  for (const c of candidates) {
    const failure = works(c);
    if (!failure) return (found = c);
    failures.push(failure);
  }
  return (found = { skip: `running as root, and nobody here is refused a mode-000 file yet can run opscope from this checkout (${failures.join('; ')})` });
}
