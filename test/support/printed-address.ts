import type { ChildProcess } from 'node:child_process';

const ADDRESS = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/;

/**
 * Collects everything `child` writes and resolves with the app's address (token included) once it
 * is printed: how `opscope serve` and `npm start` are both waited for. `what` names the command
 * in the failure, which carries the output so far.
 */
export function printedAddress(child: ChildProcess, what: string, ms: number): { url: Promise<string>; output: () => string } {
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} printed no address within ${ms / 1000} s:\n${output}`)), ms);
    child.stdout!.on('data', () => {
      const m = ADDRESS.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before printing its address:\n${output}`));
    });
  });
  return { url, output: () => output };
}
