import { createRequire } from 'node:module';
import type { DoctorReport } from '../../core/contract/schemas.js';
import { locateTool, type ToolName } from '../../node/ffmpeg/locate.js';
import { runTool } from '../../node/ffmpeg/run.js';
import { lastFailedInvocation } from '../../node/ffmpeg/command-log.js';
import { DataLayout } from '../../node/paths.js';
import { findElectron } from '../../node/electron-binary.js';
import { APP_VERSION } from './version.js';

async function toolInfo(name: ToolName): Promise<DoctorReport['ffmpeg']> {
  try {
    const t = locateTool(name);
    const { stdout } = await runTool(name, ['-version'], { timeoutMs: 15_000, purpose: 'reading its version' });
    const first = stdout.toString('utf8').split('\n')[0] ?? '';
    const version = /version\s+(\S+)/.exec(first)?.[1] ?? first;
    return { path: t.path, source: t.source, version, error: null };
  } catch (err) {
    return { path: null, source: null, version: null, error: err instanceof Error ? err.message : String(err) };
  }
}

function onnxInfo(): DoctorReport['onnxruntime'] {
  try {
    const localRequire = createRequire(import.meta.url);
    const ort = localRequire('onnxruntime-node') as {
      env: { versions?: { node?: string } };
      listSupportedBackends?: () => { name: string; bundled: boolean }[];
    };
    const backends = ort.listSupportedBackends?.() ?? [];
    return {
      version: ort.env.versions?.node ?? null,
      // Providers shipped with this build; CUDA / TensorRT need their libraries installed separately.
      executionProviders: backends.map((b) => (b.bundled ? b.name : `${b.name} (not installed)`)),
      error: null,
    };
  } catch (err) {
    return { version: null, executionProviders: [], error: err instanceof Error ? err.message : String(err) };
  }
}

function ffmpegLogInfo(dataDir: string): DoctorReport['ffmpegLog'] {
  const path = new DataLayout(dataDir).ffmpegLog;
  const last = lastFailedInvocation(path);
  return {
    path,
    lastFailure: last && { at: last.at, job: last.job, purpose: last.purpose, status: last.status, command: last.command, stderr: last.stderr },
  };
}

export async function doctor(dataDir: string): Promise<DoctorReport> {
  const [ffmpeg, ffprobe] = await Promise.all([toolInfo('ffmpeg'), toolInfo('ffprobe')]);
  return {
    version: APP_VERSION,
    platform: `${process.platform}-${process.arch}`,
    node: process.versions.node,
    ffmpeg,
    ffprobe,
    onnxruntime: onnxInfo(),
    dataDir,
    ffmpegLog: ffmpegLogInfo(dataDir),
    electron: findElectron(),
  };
}
