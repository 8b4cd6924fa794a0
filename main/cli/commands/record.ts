import { parseArgs } from 'node:util';
import type { RecordingEnded } from '../../core/contract/recording-schemas.js';
import { serializeError } from '../../core/errors.js';
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
  // The end may be announced before `recording.start` has returned its id: every end is kept.
  const ends = new Map<string, RecordingEnded>();
  let onEnded: ((e: RecordingEnded) => void) | null = null;
  const offs = [
    host.bus.on('recording.segment', (p) => say(`segment ${p.segments} added (${fmt(p.duration)} recorded)`)),
    host.bus.on('recording.warning', (p) => say(`warning: ${p.message}`)),
    host.bus.on('recording.interrupted', (p) => {
      for (const r of p.recordings) say(`recovered ${r.recovered} segment(s) of an interrupted recording into case ${r.caseId}`);
    }),
    host.bus.on('recording.ended', (e) => {
      ends.set(e.recordingId, e);
      onEnded?.(e);
    }),
  ];
  // Ctrl-C ends the recording cleanly; a second one is left to the default (exit at once).
  const onSigint = () => {
    say('stopping: closing the last segment…');
    process.off('SIGINT', onSigint);
    void host.call('recording.stop', {}).catch((err: unknown) => say(`could not stop: ${serializeError(err).message}`));
  };
  process.on('SIGINT', onSigint);
  try {
    const started = await host.call('recording.start', {
      source: values.device ? { device: values.device } : { replay: values.replay! },
      ...(values.name ? { name: values.name } : {}),
      ...(values.continue ? { caseId: values.continue } : {}),
      ...(durationS ? { duration: durationS } : {}),
      segmentSeconds: segmentSeconds ?? 10,
    });
    say(`recording into case ${started.caseId} (Ctrl-C to stop)`);
    const ended = ends.get(started.recordingId) ?? (await new Promise<RecordingEnded>((resolve) => {
      onEnded = (e) => e.recordingId === started.recordingId && resolve(e);
    }));
    await host.call('index.wait', { caseId: ended.caseId }).catch(() => undefined);
    const detail = await host.call('cases.get', { caseId: ended.caseId }).catch(() => null);
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
    for (const off of offs) off();
    await host.close();
  }
}
