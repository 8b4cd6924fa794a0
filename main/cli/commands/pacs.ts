import { parseArgs } from 'node:util';
import type { PacsDone } from '../../core/contract/pacs-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { openHost, UsageError } from '../context.js';
import { importedCaseIds, importJson } from '../import-output.js';
import { formatTable, Progress } from '../output.js';
import { USAGE } from '../usage.js';

/** `opscope pacs search|get|send`: the hospital's PACS over DICOMweb (Settings → PACS). */
export async function pacsCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'search') return search(rest);
  if (verb === 'get') return get(rest);
  if (verb === 'send') return send(rest);
  throw new UsageError(`usage: ${USAGE.pacs}`);
}

async function search(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      patient: { type: 'string' },
      name: { type: 'string' },
      date: { type: 'string' },
      modality: { type: 'string', multiple: true },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new UsageError(`usage: ${USAGE.pacs}`);
  if (values.date !== undefined && !/^(\d{8})?(-(\d{8})?)?$/.test(values.date)) throw new UsageError(`--date "${values.date}" is not YYYYMMDD or YYYYMMDD-YYYYMMDD`);
  const host = openHost();
  try {
    const found = await host.call('pacs.search', {
      ...(values.patient ? { patientId: values.patient } : {}),
      ...(values.name ? { patientName: values.name } : {}),
      ...(values.date ? { studyDate: values.date } : {}),
      ...(values.modality?.length ? { modalities: values.modality.map((m) => m.toUpperCase()) } : {}),
      ...(values.limit ? { limit: Number(values.limit) } : {}),
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(found)}\n`);
      return 0;
    }
    if (found.studies.length === 0) {
      process.stdout.write(`No study found on ${found.server}.\n`);
      return 0;
    }
    const rows = [['date', 'modalities', 'description', 'patient', 'series', 'instances', 'study UID', 'in library']];
    for (const s of found.studies) {
      rows.push([s.studyDate ?? '', s.modalities.join(','), s.studyDescription ?? '', [s.patientName, s.patientId].filter(Boolean).join(' · '), String(s.series ?? ''), String(s.instances ?? ''), s.studyInstanceUid, s.inLibrary.length ? 'yes' : '']);
    }
    process.stdout.write(formatTable(rows));
    return 0;
  } finally {
    await host.close();
  }
}

async function get(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { series: { type: 'string' }, 'no-index': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const [study, ...more] = positionals;
  if (!study || more.length) throw new UsageError(`usage: ${USAGE.pacs}`);
  const host = openHost();
  const progress = new Progress();
  let retrievalId: string | null = null;
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    if (retrievalId) void host.call('pacs.cancel', { retrievalId });
  };
  process.on('SIGINT', onInterrupt);
  const offs = [
    host.bus.on('pacs.progress', (p) => {
      if (p.stage === 'retrieving') {
        const inner = p.instanceTotal ? (p.instanceBytes ?? 0) / p.instanceTotal : 0;
        progress.update('Retrieving from the PACS', p.instancesTotal ? (p.instancesDone + inner) / p.instancesTotal : 0, `${p.instancesDone} of ${p.instancesTotal} instance(s), ${(p.bytes / 1024 ** 2).toFixed(1)} MB`);
      } else progress.update(p.stage === 'listing' ? 'Asking the PACS' : 'Reading recordings', p.stage === 'listing' ? 0 : 1);
    }),
    host.bus.on('index.progress', (p) => progress.update('Indexing', p.status.progress, p.status.stage)),
  ];
  try {
    retrievalId = (await host.call('pacs.retrieve', { studyInstanceUid: study, ...(values.series ? { seriesInstanceUid: values.series } : {}), index: !values['no-index'] })).retrievalId;
    if (interrupted) await host.call('pacs.cancel', { retrievalId });
    const done: PacsDone = await host.call('pacs.wait', { retrievalId });
    if (done.outcome === 'canceled') {
      progress.done();
      process.stderr.write(`${done.message ?? 'Stopped.'}\n`);
      return 130;
    }
    if (done.outcome === 'failed' && done.results.length === 0) throw new OpscopeError('unavailable', done.message ?? done.errors[0]?.message ?? 'Nothing was retrieved.');
    const caseIds = importedCaseIds(done.results);
    if (!values['no-index']) for (const caseId of caseIds) await host.call('index.wait', { caseId });
    progress.done();
    const cases = await Promise.all(caseIds.map((caseId) => host.call('cases.get', { caseId })));
    const out = importJson(cases, done.results);
    const instanceErrors = done.errors.map((e) => ({ path: e.sopInstanceUid ? `instance ${e.sopInstanceUid}` : study, message: e.message }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...out, errors: [...out.errors, ...instanceErrors] })}\n`);
    } else {
      for (const c of cases) process.stdout.write(`${c.id}  ${c.name}  ${c.parts.length} part(s)  index: ${c.index.state}\n`);
      if (done.message) process.stdout.write(`${done.message}\n`);
      for (const e of [...done.results.flatMap((r) => r.errors), ...instanceErrors]) process.stderr.write(`error: ${e.path}: ${e.message}\n`);
    }
    return caseIds.length > 0 ? 0 : 1;
  } finally {
    progress.done();
    process.off('SIGINT', onInterrupt);
    for (const off of offs) off();
    await host.close();
  }
}

async function send(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const [clip, ...more] = positionals;
  if (!clip || more.length) throw new UsageError(`usage: ${USAGE.pacs}`);
  const host = openHost();
  try {
    const r = await host.call('pacs.send', { clip }, { transport: 'cli' });
    process.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `Sent to ${r.server}: study ${r.studyInstanceUid}, instance ${r.sopInstanceUid} (${(r.bytes / 1024 ** 2).toFixed(1)} MB)\n`);
    return 0;
  } finally {
    await host.close();
  }
}
