// `npm start`: builds if needed, prepares Electron's build of the native SQLite module, then opens
// the desktop app. Without an Electron binary it opens the same app in the system browser
// (`opscope serve --open`) and keeps serving it until Ctrl+C.
import { spawnSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const rel = existsSync(join(dir, 'path.txt')) ? readFileSync(join(dir, 'path.txt'), 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override ? join(override, rel ?? 'electron') : rel ? join(dir, 'dist', rel) : null;
  return bin && existsSync(bin) ? { bin, version: require('electron/package.json').version } : null;
}

const built = ['main/index.js', 'main/cli.js', 'renderer/index.html'].every((f) => existsSync(join(root, 'out', f)));
if (!built) {
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const electron = electronBinary();
if (!electron) {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  console.error(
    [
      override
        ? `Opscope: ELECTRON_OVERRIDE_DIST_PATH (${override}) holds no Electron binary, so the desktop app cannot open.`
        : 'Opscope: the Electron binary is not installed, so the desktop app cannot open.',
      'Opening the same app in your browser instead. For the desktop app: when online run  npm run get-electron',
      '(Electron downloads its binary from GitHub and its installer needs Node 22.12 or newer),',
      'or set ELECTRON_OVERRIDE_DIST_PATH to an installed Electron.',
    ].join('\n'),
  );
  // In this process, so that Ctrl+C reaches the server directly and it closes the store cleanly.
  const { main } = await import(pathToFileURL(join(root, 'out', 'main', 'cli.js')).href);
  process.exitCode = await main(['serve', '--open', ...process.argv.slice(2)]);
} else {
  openDesktop(electron);
}

/** The desktop app, with a build of the native SQLite module for Electron's ABI. */
function openDesktop(electron) {
  // better-sqlite3 is built for Node by npm; Electron needs a build for its own ABI, kept apart so
  // the Node host and the tests keep working.
  const abi = spawnSync(electron.bin, ['-p', 'process.versions.modules'], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  }).stdout.trim();
  const target = join(root, '.opscope-electron', `better_sqlite3-${abi}.node`);
  if (abi && !existsSync(target)) {
    console.log(`Opscope: building the SQLite module for Electron ${electron.version} (once)...`);
    const work = join(root, '.opscope-electron', 'build');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const src = dirname(require.resolve('better-sqlite3/package.json'));
    cpSync(src, join(work, 'better-sqlite3'), { recursive: true, filter: (p) => !p.startsWith(join(src, 'build')) });
    const pkgDir = join(work, 'better-sqlite3');
    const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
    const opts = { cwd: pkgDir, stdio: 'inherit', shell: process.platform === 'win32' };
    let r = spawnSync(bin('prebuild-install'), ['--runtime', 'electron', '--target', electron.version, '--arch', process.arch], opts);
    if (r.status !== 0) {
      r = spawnSync(bin('node-gyp'), ['rebuild', '--release', `--target=${electron.version}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'], opts);
    }
    const addon = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
    if (r.status !== 0 || !existsSync(addon)) {
      console.error('Opscope: could not build the SQLite module for Electron (needs network access to Electron headers or prebuilt binaries). `npm run serve` works meanwhile.');
      process.exit(1);
    }
    copyFileSync(addon, target);
    rmSync(work, { recursive: true, force: true });
  }

  const child = spawn(electron.bin, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}
