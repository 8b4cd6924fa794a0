import { describe, expect, it } from 'vitest';
import { DiskWatch } from '../../../../../main/node/record/disk-watch.js';

const GB = 1024 ** 3;

describe('recording disk watch', () => {
  it('warns once below the threshold and stops below the floor', async () => {
    let free = 10 * GB;
    const watch = new DiskWatch('/recordings', { warnBytes: 5 * GB, floorBytes: GB, statfs: async () => ({ bavail: free / 4096, bsize: 4096 }) });
    expect(await watch.check()).toEqual({ level: 'ok', freeBytes: 10 * GB, message: null });
    free = 4 * GB;
    const low = await watch.check();
    expect(low.level).toBe('low');
    expect(low.message).toMatch(/Disk space is low: 4\.0 GB free/);
    free = 3 * GB;
    expect((await watch.check()).message).toBeNull();
    free = 0.5 * GB;
    const full = await watch.check();
    expect(full.level).toBe('full');
    expect(full.message).toMatch(/Recording stopped/);
  });

  it('reads bigint statfs results', async () => {
    const watch = new DiskWatch('/r', { warnBytes: 5 * GB, floorBytes: GB, statfs: async () => ({ bavail: 1000n, bsize: 4096n }) });
    expect((await watch.check()).level).toBe('full');
  });
});
