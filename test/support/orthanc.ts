import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARIES = ['/usr/sbin/Orthanc', '/usr/bin/Orthanc'];
const PLUGIN_DIRS = ['/usr/share/orthanc/plugins', '/usr/lib/orthanc/plugins', '/usr/lib/x86_64-linux-gnu/orthanc/plugins'];

/** Debian's Orthanc and its DICOMweb plugin, or why they cannot be used here. */
export function findOrthanc(): { binary: string; plugin: string } | { missing: string } {
  const binary = BINARIES.find((b) => existsSync(b));
  if (!binary) return { missing: 'Orthanc is not installed (apt-get install orthanc orthanc-dicomweb)' };
  const plugin = PLUGIN_DIRS.map((d) => join(d, 'libOrthancDicomWeb.so')).find((p) => existsSync(p));
  if (!plugin) return { missing: "Orthanc's DICOMweb plugin is not installed (apt-get install orthanc-dicomweb)" };
  return { binary, plugin };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningOrthanc {
  url: string;
  dicomweb: string;
  rest(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * A throw-away Orthanc on a free loopback port: its own storage folder and configuration, no
 * DICOM port, remote access refused; stopped (and its folder removed) by `stop`.
 */
export async function startOrthanc(found: { binary: string; plugin: string }): Promise<RunningOrthanc> {
  const dir = mkdtempSync(join(tmpdir(), 'opscope-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'opscope-test',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpCompressionEnabled: false,
    Plugins: [found.plugin],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config));
  const child: ChildProcess = spawn(found.binary, [join(dir, 'orthanc.json')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited at start:\n${log}`);
    const ok = await fetch(`${url}/system`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Orthanc did not start within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dicomweb: `${url}/dicom-web`,
    rest: (path, init) => fetch(`${url}${path}`, init),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
