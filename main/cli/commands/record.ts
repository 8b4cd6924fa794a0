import { parseArgs } from 'node:util';
import type { CaseDetail } from '../../core/contract/schemas.js';
import { USAGE } from '../usage.js';
import { openHost, UsageError } from '../context.js';
import { duration as fmt } from '../output.js';

export async function recordCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      device: { type: 'string' },
      replay: { type: 'string' },
      name: { type: 'string' },
      duration: { type: 'string' },
      continue: { type: 'string' },
      'segment-seconds': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length || Boolean(values.device) === Boolean(values.replay)) throw new UsageError(`usage: ${USAGE.record}`);
  const num = (v: string | undefined, what: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0)) throw new UsageError(`${what} must be a positive number of seconds`);
    return n;
  };
  const durationS = num(values.duration, '--duration');
  const segmentSeconds = num(values['segment-seconds'], '--segment-seconds');
  const host = openHost();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const off = host.bus.subscribe((name, payload) => {
    if (name === 'recording.segment') {
      const p = payload as { segments: number; duration: number };
      say(`segment ${p.segments} added (${fmt(p.duration)} recorded)`);
    } else if (name === 'recording.warning') say(`warning: ${(payload as { message: string }).message}`);
    else if (name === 'recording.interrupted') {
      for (const r of (payload as { recordings: { caseId: string; recovered: number }[] }).recordings) {
        say(`recovered ${r.recovered} segment(s) of an interrupted recording into case ${r.caseId}`);
      }
    }
  });
  // Ctrl-C ends the recording cleanly; a second one is left to the default (exit at once).
  const onSigint = () => {
    say('stopping: closing the last segment…');
    process.off('SIGINT', onSigint);
    void host.recorder.stop();
  };
  process.on('SIGINT', onSigint);
  try {
    const started = await host.recorder.start({
      source: values.device ? { device: values.device } : { replay: values.replay! },
      ...(values.name ? { name: values.name } : {}),
      ...(values.continue ? { caseId: values.continue } : {}),
      ...(durationS ? { duration: durationS } : {}),
      segmentSeconds: segmentSeconds ?? 10,
      cwd: process.cwd(),
    });
    say(`recording into case ${started.caseId} (Ctrl-C to stop)`);
    const ended = await started.ended;
    await host.indexer.whenIdle(ended.caseId);
    const detail = host.store.getCase(ended.caseId) ? ((await host.call('cases.get', { caseId: ended.caseId })) as CaseDetail) : null;
    if (values.json) {
      process.stdout.write(`${JSON.stringify({
        caseId: ended.caseId,
        segments: ended.segments,
        duration: ended.duration,
        reason: ended.reason,
        ...(ended.message ? { message: ended.message } : {}),
        caseParts: detail?.parts.length ?? 0,
        caseDuration: detail?.duration ?? 0,
        index: detail?.index ?? null,
      })}\n`);
    } else {
      process.stdout.write(`${ended.caseId}  ${ended.segments} segment(s)  ${fmt(ended.duration)}  ${ended.reason}\n`);
      if (ended.message) say(ended.message);
    }
    return ended.reason === 'failed' ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    off();
    await host.close();
  }
}
