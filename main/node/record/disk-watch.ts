import { statfs } from 'node:fs/promises';

export type DiskLevel = 'ok' | 'low' | 'full';

export interface DiskCheck {
  level: DiskLevel;
  freeBytes: number;
  /** Set when the level changed since the last check: what to tell the user. */
  message: string | null;
}

export type StatFs = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

export const DEFAULT_WARN_BYTES = 5 * 1024 ** 3;
export const DEFAULT_FLOOR_BYTES = 1024 ** 3;

const gb = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GB`;

/**
 * Free space under a recording's folder. A recording fills the disk at a steady rate and the
 * database lives on the same volume, so recording stops while there is still room to close the
 * segment and write its rows.
 */
export class DiskWatch {
  private last: DiskLevel = 'ok';

  constructor(
    private readonly folder: string,
    private readonly opts: { warnBytes?: number; floorBytes?: number; statfs?: StatFs } = {},
  ) {}

  async check(): Promise<DiskCheck> {
    const st = await (this.opts.statfs ?? statfs)(this.folder);
    const freeBytes = Number(st.bavail) * Number(st.bsize);
    const warn = this.opts.warnBytes ?? DEFAULT_WARN_BYTES;
    const floor = this.opts.floorBytes ?? DEFAULT_FLOOR_BYTES;
    const level: DiskLevel = freeBytes < floor ? 'full' : freeBytes < warn ? 'low' : 'ok';
    // Said once per change, not every few seconds while the disk stays low.
    const changed = level !== this.last;
    this.last = level;
    let message: string | null = null;
    if (changed && level === 'low') message = `Disk space is low: ${gb(freeBytes)} free. Recording stops below ${gb(floor)}.`;
    else if (changed && level === 'full') message = `Recording stopped: only ${gb(freeBytes)} free on the recording disk (the floor is ${gb(floor)}).`;
    return { level, freeBytes, message };
  }
}
