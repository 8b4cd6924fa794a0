import { parseArgs } from 'node:util';
import { doctor } from '../../host/app/doctor.js';
import { resolveDataDir } from '../../node/paths.js';

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const r = await doctor(resolveDataDir());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    const failed = r.ffmpegLog.lastFailure;
    const what = failed ? [failed.job, failed.purpose].filter(Boolean).join(', ') : '';
    const lastFailed = failed
      ? [`last failed  ${failed.at} ${failed.status}${what ? ` (${what})` : ''}`, `             ${failed.command}`, ...failed.stderr.slice(-3).map((l) => `             ! ${l}`)]
      : ['last failed  none in the log'];
    const tool = (t: typeof r.ffmpeg) => (t.path ? `${t.version} (${t.source}) ${t.path}` : `missing: ${t.error}`);
    const lines = [
      `Opscope ${r.version} on ${r.platform}, Node ${r.node}`,
      `ffmpeg       ${tool(r.ffmpeg)}`,
      `ffprobe      ${tool(r.ffprobe)}`,
      `onnxruntime  ${r.onnxruntime.version ?? `missing: ${r.onnxruntime.error}`}; execution providers: ${r.onnxruntime.executionProviders.join(', ') || 'none'}`,
      `data folder  ${r.dataDir}`,
      `ffmpeg log   ${r.ffmpegLog.path}`,
      ...lastFailed,
      `electron     ${r.electron.present ? `${r.electron.version} ${r.electron.path}` : `binary not installed (package ${r.electron.version ?? 'missing'})`}`,
    ];
    if (r.electron.hint) lines.push(`             ${r.electron.hint}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return r.ffmpeg.path && r.ffprobe.path ? 0 : 1;
}
