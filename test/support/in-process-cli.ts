import { vi } from 'vitest';
import { main as cli } from '../../main/cli/opscope.js';

/** The opscope command run in this process on a data folder, its output captured (no build needed). */
export async function opscopeInProcess(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = process.env.OPSCOPE_HOME;
  process.env.OPSCOPE_HOME = dataDir;
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await cli(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    if (saved === undefined) delete process.env.OPSCOPE_HOME;
    else process.env.OPSCOPE_HOME = saved;
  }
}
