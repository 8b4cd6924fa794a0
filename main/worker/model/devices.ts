/*
 * Which execution providers to try for a local model, best first. onnxruntime-node lists CUDA on
 * every Linux x64 install, but its libraries are only there after the CUDA opt-in at install time
 * (see the README); trying it without them would only add a failure to every run.
 */

import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { VlmDevice } from '../../core/worker-protocol.js';

export interface DeviceCandidate {
  device: Exclude<VlmDevice, 'auto'>;
  /** Set when the device is not worth trying here; said in the run's detail. */
  skip: string | null;
}

const resolveModule = createRequire(import.meta.url).resolve;

/** The folder of onnxruntime-node's native binding for this platform, if it can be found. */
function bindingDir(): string | null {
  try {
    const root = dirname(dirname(resolveModule('onnxruntime-node')));
    const napi = readdirSync(join(root, 'bin')).find((d) => d.startsWith('napi-'));
    if (!napi) return null;
    const dir = join(root, 'bin', napi, process.platform, process.arch);
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

function cudaInstalled(dir: string | null): boolean {
  if (!dir) return false;
  try {
    return readdirSync(dir).some((f) => /onnxruntime_providers_cuda/.test(f));
  } catch {
    return false;
  }
}

/** The devices to try for a setting, in order. CPU always ends an 'auto' list. */
export function deviceCandidates(setting: VlmDevice, platform = process.platform, arch = process.arch): DeviceCandidate[] {
  if (setting !== 'auto') return [{ device: setting, skip: null }];
  const list: DeviceCandidate[] = [];
  if (platform === 'linux' && arch === 'x64') {
    list.push({ device: 'cuda', skip: cudaInstalled(bindingDir()) ? null : 'CUDA libraries not installed' });
  }
  if (platform === 'win32') list.push({ device: 'dml', skip: null });
  if (platform === 'darwin') list.push({ device: 'coreml', skip: null });
  list.push({ device: 'cpu', skip: null });
  return list;
}
