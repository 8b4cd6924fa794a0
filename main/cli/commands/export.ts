import { parseArgs } from 'node:util';
import { PEOPLE_NONE_REFUSED, type Deidentify, type ExportDone, type ExportResult } from '../../core/contract/export-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { formatClock, parseTime } from '../../core/time-format.js';
import type { AppHost } from '../../host/app-host.js';
import { openHost } from '../context.js';
import { Progress } from '../output.js';
import { USAGE, UsageError } from '../usage.js';

export interface ExportDeps {
  /** Default: the host on the user's data folder. */
  openHost?: () => AppHost;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

function time(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTime(value);
  if (t === null || t < 0) throw new UsageError(`--${name} "${value}" is not a time: use seconds (754.5) or HH:MM:SS.mmm.`);
  return t;
}

/**
 * `opscope export`: a teaching clip of an evidence item or a case range. Ctrl-C cancels and
 * leaves nothing behind. With --json, stdout is exactly {output, manifest, duration, stills}.
 */
export async function exportCommand(argv: string[], deps: ExportDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      evidence: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      out: { type: 'string', short: 'o' },
      captions: { type: 'string', default: 'vtt' },
      'stream-copy': { type: 'boolean', default: false },
      'keep-audio': { type: 'boolean', default: false },
      'keep-metadata': { type: 'boolean', default: false },
      title: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      deidentify: { type: 'boolean', default: false },
      mask: { type: 'string' },
      'out-of-body': { type: 'string' },
      'mask-add': { type: 'string', multiple: true },
      'mask-remove': { type: 'string', multiple: true },
      'no-ocr': { type: 'boolean', default: false },
      people: { type: 'string' },
      'people-add': { type: 'string', multiple: true },
      'people-remove': { type: 'string', multiple: true },
    },
  });
  const [caseId, ...extra] = positionals;
  const usage = () => new UsageError(`usage: ${USAGE.export}`);
  if (!caseId || extra.length > 0 || !values.out) throw usage();
  const start = time('start', values.start);
  const end = time('end', values.end);
  if (!values.evidence && (start === undefined || end === undefined)) throw usage();
  if ((start === undefined) !== (end === undefined)) throw new UsageError('give both --start and --end.');
  const captions = values.captions;
  if (captions !== 'none' && captions !== 'vtt' && captions !== 'burn') throw new UsageError('--captions must be none, vtt or burn.');

  const deidentify = deidOptions(values);

  const stdout = deps.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = deps.stderr ?? ((t: string) => void process.stderr.write(t));
  const host = (deps.openHost ?? openHost)();
  const progress = values.json ? null : new Progress();
  let exportId: string | null = null;
  let interrupted = false;
  const finished = new Map<string, ExportDone>();
  let onDone: ((d: ExportDone) => void) | null = null;
  const offs = [
    host.bus.on('export.progress', (p) => {
      if (p.exportId === exportId) progress?.update('Exporting', p.fraction, p.stage);
    }),
    host.bus.on('export.done', (d) => {
      finished.set(d.exportId, d);
      if (d.exportId === exportId) onDone?.(d);
    }),
  ];
  const cancel = (id: string) => void host.call('export.cancel', { exportId: id }).catch(() => undefined);
  const onInterrupt = () => {
    interrupted = true;
    if (exportId) cancel(exportId);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const started = await host.call('export.clip', {
      caseId,
      ...(values.evidence ? { evidenceId: values.evidence } : {}),
      ...(start !== undefined && end !== undefined ? { start, end } : {}),
      out: values.out,
      captions,
      streamCopy: values['stream-copy'],
      keepAudio: values['keep-audio'],
      keepMetadata: values['keep-metadata'],
      ...(values.title ? { titleCard: { text: values.title } } : {}),
      overwrite: values.overwrite,
      ...(deidentify ? { deidentify } : {}),
    });
    exportId = started.exportId;
    if (interrupted) cancel(exportId);
    const id = exportId;
    const done = finished.get(id) ?? (await new Promise<ExportDone>((resolve) => (onDone = resolve)));
    progress?.done();
    if (done.error || !done.result) {
      const e = done.error ?? { code: 'internal', message: 'The export ended without a result.' };
      if (e.code === 'canceled') {
        stderr('Export canceled; nothing was written.\n');
        return 130;
      }
      throw new OpscopeError('internal', e.message);
    }
    const r = done.result;
    if (values.json) stdout(`${JSON.stringify({ output: r.output, manifest: r.manifest, duration: r.duration, stills: r.stills })}\n`);
    else stdout(summary(r));
    return 0;
  } finally {
    progress?.done();
    process.off('SIGINT', onInterrupt);
    for (const off of offs) off();
    await host.close();
  }
}

function rect(flag: string, v: string): [number, number, number, number] {
  const n = v.split(',').map((p) => Number(p.trim()));
  if (n.length !== 4 || n.some((x) => !Number.isInteger(x) || x < 0) || n[2]! < 1 || n[3]! < 1) {
    throw new UsageError(`--${flag} "${v}" is not a rectangle: give X,Y,WIDTH,HEIGHT in the recording's pixels, e.g. 20,20,400,40.`);
  }
  const [x = 0, y = 0, w = 0, h = 0] = n;
  return [x, y, w, h];
}

/** The de-identification options, or null without --deidentify (its options alone are a mistake). */
function deidOptions(v: {
  deidentify?: boolean;
  mask?: string | undefined;
  'out-of-body'?: string | undefined;
  'mask-add'?: string[] | undefined;
  'mask-remove'?: string[] | undefined;
  'no-ocr'?: boolean;
  people?: string | undefined;
  'people-add'?: string[] | undefined;
  'people-remove'?: string[] | undefined;
}): Deidentify | null {
  const used =
    v.mask !== undefined || v['out-of-body'] !== undefined || v['mask-add'] !== undefined || v['mask-remove'] !== undefined || v['no-ocr'] ||
    v.people !== undefined || v['people-add'] !== undefined || v['people-remove'] !== undefined;
  if (!v.deidentify) {
    if (used) throw new UsageError('--mask, --out-of-body, --mask-add, --mask-remove, --no-ocr, --people, --people-add and --people-remove need --deidentify.');
    return null;
  }
  const mask = v.mask ?? 'blur';
  if (mask !== 'blur' && mask !== 'box') throw new UsageError('--mask must be blur or box.');
  const outOfBody = v['out-of-body'] ?? 'blur';
  if (outOfBody !== 'blur' && outOfBody !== 'card' && outOfBody !== 'none') throw new UsageError('--out-of-body must be blur, card or none.');
  const people = v.people ?? 'blur';
  if (people !== 'blur' && people !== 'box' && people !== 'none') throw new UsageError('--people must be blur, box or none.');
  if (people === 'none' && outOfBody === 'none') throw new UsageError(PEOPLE_NONE_REFUSED);
  return {
    mask,
    outOfBody,
    text: !v['no-ocr'],
    add: (v['mask-add'] ?? []).map((r) => rect('mask-add', r)),
    remove: (v['mask-remove'] ?? []).map((r) => rect('mask-remove', r)),
    people,
    addPeople: (v['people-add'] ?? []).map((r) => rect('people-add', r)),
    removePeople: (v['people-remove'] ?? []).map((r) => rect('people-remove', r)),
  };
}

function summary(r: ExportResult): string {
  const mb = (r.bytes / 1024 ** 2).toFixed(1);
  const lines = [
    `${r.output}  ${r.duration.toFixed(2)} s, ${r.mode === 'accurate' ? 'frame-accurate' : 'stream copy'}, ${mb} MB`,
    `  case time ${formatClock(r.actual.start)} – ${formatClock(r.actual.end)}`,
  ];
  if (r.mode === 'stream-copy' && (Math.abs(r.actual.start - r.requested.start) > 1e-3 || Math.abs(r.actual.end - r.requested.end) > 1e-3)) {
    lines.push(`  (asked for ${formatClock(r.requested.start)} – ${formatClock(r.requested.end)}; stream copy cuts at keyframes)`);
  }
  if (r.deidentified) {
    const d = r.deidentified;
    lines.push(`  de-identified: ${d.textRegions} text region${d.textRegions === 1 ? '' : 's'} masked, ${d.outOfBodySpans} out-of-body span${d.outOfBodySpans === 1 ? '' : 's'} hidden, no audio, no metadata (see the manifest)`);
    if (d.peopleMasks !== undefined) lines.push(`  people: ${d.peopleMasks} mask${d.peopleMasks === 1 ? '' : 's'}`);
    if (d.peopleInsidePatientView) lines.push(`  people found in ${d.peopleInsidePatientView} frame${d.peopleInsidePatientView === 1 ? '' : 's'} inside the patient view, masked all the same`);
  }
  if (r.vtt) lines.push(`  captions  ${r.vtt}`);
  for (const s of r.stills) lines.push(`  still     ${s}`);
  lines.push(`  manifest  ${r.manifest}`);
  return `${lines.join('\n')}\n`;
}
