import { formatTime } from '../core/time-format.js';

/** Progress for people on stderr; stdout stays clean for --json. */
export class Progress {
  private last = '';
  private lastAt = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  update(label: string, fraction: number, stage?: string): void {
    const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    const line = `${label} ${pct}%${stage ? ` · ${stage}` : ''}`;
    if (line === this.last) return;
    const now = Date.now();
    if (this.tty) {
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(`\r\x1b[2K${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${line}`);
    } else if (now - this.lastAt > 2000 || pct === 100) {
      process.stderr.write(`${line}\n`);
      this.lastAt = now;
    }
    this.last = line;
  }

  done(message?: string): void {
    if (this.tty && this.last) process.stderr.write('\r\x1b[2K');
    if (message) process.stderr.write(`${message}\n`);
    this.last = '';
  }
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`).join('');
}

export function printTable(rows: string[][]): void {
  process.stdout.write(formatTable(rows));
}

export const duration = (s: number) => formatTime(s);

/** A bar of `width` cells, `fraction` of them filled: how far a long run is. */
export function progressBar(fraction: number, width = 20): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}
