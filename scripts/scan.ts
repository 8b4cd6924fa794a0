/*
 * Electronegativity over the desktop shell, offline: the sources (Electron main, preload, the
 * renderer's page and scripts) and the built bundles in out/ as they ship. A HIGH or MEDIUM
 * finding fails unless electronegativity-allow.json lists it with a reason.
 *
 *   npm run scan            a table; exit 1 on a finding that is not allowed
 *   npm run scan -- --json  one JSON report on stdout
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

export interface Finding {
  id: string;
  severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
  confidence: string;
  /** Which tree and file: "sources/main/electron/index.ts", "built/main/index.js". */
  file: string;
  line: number;
  manualReview: boolean;
  description: string;
  allowedBecause: string | null;
}

export interface ScanReport {
  electronVersion: string;
  checks: { global: number; atomic: number };
  excludedChecks: { check: string; reason: string }[];
  findings: Finding[];
  /** Files the scanner could not parse: a gap in what it saw, so they fail like findings. */
  unparsed: { file: string; message: string }[];
  failures: Finding[];
}

interface AllowList {
  excludedChecks: { check: string; reason: string }[];
  findings: { id: string; file: string; reason: string }[];
}

interface RawIssue {
  id: string;
  file: string;
  location: { line: number };
  severity: { name: Finding['severity'] };
  confidence: { name: string };
  manualReview?: boolean;
  description: string;
}
type Runner = (options: Record<string, unknown>) => Promise<{ globalChecks: number; atomicChecks: number; errors: { file: string; message: string; tolerable: boolean }[]; issues: RawIssue[] }>;

/**
 * The scanner tries to fetch translations and Electron's release list: refused here, so a scan is
 * the same on a machine with no network and sends nothing anywhere.
 */
function blockNetwork(): () => void {
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function blocked(this: net.Socket) {
    process.nextTick(() => this.destroy(new Error('network disabled for the scan')));
    return this;
  } as typeof original;
  return () => {
    net.Socket.prototype.connect = original;
  };
}

function walk(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p, keep) : keep(p) ? [p] : [];
  });
}

function put(root: string, rel: string, content: string | Buffer): void {
  const dest = join(root, rel);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, content);
}

/**
 * The scanner reads .js/.ts/.html only, and its JavaScript parser predates private class fields
 * (the compiled Svelte state classes): built files are staged as .js and lowered to ES2021.
 */
function stage(work: string): { sources: string; built: string | null } {
  const sources = join(work, 'sources');
  const pick = (dir: string, exts: RegExp) => walk(join(ROOT, dir), (f) => exts.test(f));
  for (const f of [...pick('main/electron', /\.ts$/), ...pick('main/core/security', /\.ts$/), ...pick('preload', /\.ts$/), ...pick('renderer/src', /\.ts$/)]) {
    put(sources, relative(ROOT, f), readFileSync(f));
  }
  put(sources, 'renderer/index.html', readFileSync(join(ROOT, 'renderer', 'index.html')));
  copyFileSync(join(ROOT, 'package.json'), join(sources, 'package.json'));

  const out = join(ROOT, 'out');
  if (!existsSync(join(out, 'main', 'index.js'))) return { sources, built: null };
  const built = join(work, 'built');
  for (const f of walk(out, (p) => /\.(c?js|html)$/.test(p))) {
    const rel = relative(out, f).replace(/\.cjs$/, '.js');
    let text = readFileSync(f, 'utf8');
    if (rel.endsWith('.js')) {
      text = ts.transpileModule(text, { compilerOptions: { target: ts.ScriptTarget.ES2021, module: ts.ModuleKind.ESNext, allowJs: true } }).outputText;
    }
    put(built, rel, text);
  }
  copyFileSync(join(ROOT, 'package.json'), join(built, 'package.json'));
  return { sources, built };
}

export function readAllowList(file = join(ROOT, 'electronegativity-allow.json')): AllowList {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<AllowList>;
  const list = { excludedChecks: raw.excludedChecks ?? [], findings: raw.findings ?? [] };
  for (const e of [...list.excludedChecks, ...list.findings]) {
    if (typeof e.reason !== 'string' || e.reason.trim().length < 20) throw new Error(`allow-list entry without a reason: ${JSON.stringify(e)}`);
  }
  return list;
}

export async function scanElectron(opts: { requireBuilt?: boolean } = {}): Promise<ScanReport> {
  const allow = readAllowList();
  const electronVersion = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
  const work = mkdtempSync(join(tmpdir(), 'opscope-scan-'));
  const restore = blockNetwork();
  const log = console.log;
  // Its notices about the refused downloads are not findings.
  console.log = () => undefined;
  try {
    const { sources, built } = stage(work);
    if (!built && opts.requireBuilt) throw new Error('out/ has no build: run `npm run build` first.');
    const run = require('@doyensec/electronegativity/dist/runner.js') as Runner;
    const findings: Finding[] = [];
    const unparsed: ScanReport['unparsed'] = [];
    let checks = { global: 0, atomic: 0 };
    for (const [tree, input] of [['sources', sources], ['built', built]] as const) {
      if (!input) continue;
      const r = await run({
        input,
        customScan: [],
        excludeFromScan: allow.excludedChecks.map((c) => c.check),
        electronVersionOverride: electronVersion,
        isRelative: true,
        parserPlugins: [],
      });
      checks = { global: r.globalChecks, atomic: r.atomicChecks };
      for (const e of r.errors) if (!e.tolerable) unparsed.push({ file: `${tree}/${relative(input, e.file)}`, message: e.message });
      for (const i of r.issues) {
        const file = i.file === 'N/A' ? `${tree}/(whole tree)` : `${tree}/${i.file}`;
        const allowed = allow.findings.find((a) => a.id === i.id && a.file === file);
        findings.push({
          id: i.id,
          severity: i.severity.name,
          confidence: i.confidence.name,
          file,
          line: i.location.line,
          manualReview: Boolean(i.manualReview),
          description: i.description,
          allowedBecause: allowed?.reason ?? null,
        });
      }
    }
    const failures = findings.filter((f) => (f.severity === 'HIGH' || f.severity === 'MEDIUM') && f.allowedBecause === null);
    return { electronVersion, checks, excludedChecks: allow.excludedChecks, findings, unparsed, failures };
  } finally {
    console.log = log;
    restore();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const report = await scanElectron({ requireBuilt: process.argv.includes('--require-built') });
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(`electronegativity, Electron ${report.electronVersion}: ${report.checks.global} global and ${report.checks.atomic} atomic checks\n`);
    for (const c of report.excludedChecks) process.stdout.write(`  excluded ${c.check}: ${c.reason}\n`);
    for (const f of report.findings) {
      const verdict = f.allowedBecause ? `allowed: ${f.allowedBecause}` : f.severity === 'HIGH' || f.severity === 'MEDIUM' ? 'NOT ALLOWED' : 'low';
      process.stdout.write(`  ${f.severity.padEnd(13)} ${f.id} ${f.file}:${f.line}\n      ${verdict}\n`);
    }
    for (const u of report.unparsed) process.stdout.write(`  UNPARSED ${u.file}: ${u.message}\n`);
    process.stdout.write(report.failures.length || report.unparsed.length ? `${report.failures.length + report.unparsed.length} problem(s)\n` : 'no finding outside the allow-list\n');
  }
  return report.failures.length || report.unparsed.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`scan: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
