import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT } from '../cli.js';
import { syntheticVideo, truncatedMp4, MEDIA_CACHE } from '../media.js';
import { SHOTS, type E2eMedia } from './env.js';

/**
 * Once per run: build the app (OPSCOPE_E2E_SKIP_BUILD=1 reuses an existing build), and generate the test recordings (cached by their
 * spec across runs): two parts of one procedure with the frame index drawn as a code, and an
 * unfinished MP4 that cannot be imported.
 */
export default async function globalSetup(): Promise<void> {
  // The UI under test is the current source: build it (a few seconds) unless told not to.
  const built = existsSync(join(ROOT, 'out', 'main', 'cli.js')) && existsSync(join(ROOT, 'out', 'renderer', 'index.html'));
  if (!built || !process.env.OPSCOPE_E2E_SKIP_BUILD) {
    const localRequire = createRequire(import.meta.url);
    const cli = join(dirname(localRequire.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
    const r = spawnSync(process.execPath, [cli, 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('The app could not be built (npm run build); see the output above.');
  }
  const common = { width: 384, height: 216, fps: 30, gop: 1, frameCode: true, quality: 'fast' as const };
  const [part1, part2] = await Promise.all([
    syntheticVideo({ ...common, duration: 20, seed: 11, events: [{ kind: 'bleeding', start: 6, end: 12 }] }),
    syntheticVideo({ ...common, duration: 20, seed: 12, events: [{ kind: 'smoke', start: 4, end: 9 }, { kind: 'out-of-body', start: 13, end: 16 }] }),
  ]);
  // Named the way an OR recorder names the files of one procedure; parts are ordered by name.
  const dir = join(MEDIA_CACHE, 'e2e', 'recordings');
  mkdirSync(dir, { recursive: true });
  const named = [join(dir, 'Lap chole part 1.mp4'), join(dir, 'Lap chole part 2.mp4')] as const;
  copyFileSync(part1, named[0]);
  copyFileSync(part2, named[1]);
  const broken = await truncatedMp4(dir);
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const media: E2eMedia = { dir, part1: named[0], part2: named[1], broken, fps: common.fps, partDuration: 20 };
  const file = join(MEDIA_CACHE, 'e2e', 'media.json');
  writeFileSync(file, JSON.stringify(media, null, 2));
  process.env.OPSCOPE_E2E_MEDIA = file;
}
