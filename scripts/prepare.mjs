// Runs on `npm install`: builds every process (so `npx opscope` and `npm start` work at once)
// and tries, without failing the install, to fetch the Electron binary.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', ...opts });

// The ffmpeg/ffprobe packages mark their binaries executable for the installing user only; the
// app is often installed by one account and used by another.
for (const id of ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe']) {
  try {
    const bin = require(id).path;
    if (bin && (statSync(bin).mode & 0o444) === 0o444) chmodSync(bin, statSync(bin).mode | 0o111);
  } catch {
    // Not installed for this platform: the locator says so when the tool is needed.
  }
}

const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const build = run(process.execPath, [electronVite, 'build', '--logLevel', 'warn']);
if (build.status !== 0) process.exit(build.status ?? 1);

const electronDir = dirname(require.resolve('electron/package.json'));
const pathFile = join(electronDir, 'path.txt');
const installed = existsSync(pathFile) && existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));
if (!installed && !process.env.OPSCOPE_SKIP_ELECTRON_DOWNLOAD) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) {
    const r = run(process.execPath, [join(electronDir, 'install.js')], { timeout: 300_000, stdio: 'pipe' });
    if (r.status === 0) console.log('opscope: Electron binary installed.');
    else console.warn('opscope: the Electron binary could not be downloaded (GitHub unreachable?). `npm start` opens Opscope in a browser instead.');
  } else {
    console.warn(`opscope: Electron's installer needs Node 22.12 or newer (this is ${process.versions.node}); the desktop shell is not installed. \`npm start\` opens Opscope in a browser instead.`);
  }
}
