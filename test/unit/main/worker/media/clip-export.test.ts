/*
 * The clip exporter's filter-graph escaping (filterValue inside graphArgs): whatever a value
 * holds, it stays one option value of one filter. Checked two ways: against a model of FFmpeg's
 * two parsers (libavfilter/graphparser.c and libavutil/opt.c, both built on av_get_token), over
 * generated text; and with the real ffmpeg, which must open a text file whose name is generated.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../../../../main/node/ffmpeg/run.js';
import { captionFontFile } from '../../../../../main/node/fonts.js';
import { filterValue, graphArgs } from '../../../../../main/worker/media/clip-export.js';

const WHITESPACE = ' \n\t\r';

/** libavutil's av_get_token: backslash escapes a character, '...' quotes, outer whitespace is trimmed. */
function avGetToken(s: string, pos: number, term: string): { token: string; pos: number } {
  let p = pos;
  while (p < s.length && WHITESPACE.includes(s[p]!)) p++;
  let out = '';
  let end = 0;
  while (p < s.length && !term.includes(s[p]!)) {
    const c = s[p++]!;
    if (c === '\\' && p < s.length) {
      out += s[p++]!;
      end = out.length;
    } else if (c === "'") {
      while (p < s.length && s[p] !== "'") out += s[p++]!;
      if (p < s.length) {
        p++;
        end = out.length;
      }
    } else {
      out += c;
    }
  }
  while (out.length > end && WHITESPACE.includes(out[out.length - 1]!)) out = out.slice(0, -1);
  return { token: out, pos: p };
}

const isKeyChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_./-]/.test(c);

/** A filter's options as process_options reads them: key=value pairs separated by ':'. */
function parseOptions(args: string): [string, string][] {
  const out: [string, string][] = [];
  let p = 0;
  while (p < args.length) {
    while (WHITESPACE.includes(args[p] ?? '#')) p++;
    const keyStart = p;
    while (isKeyChar(args[p])) p++;
    let key = args.slice(keyStart, p);
    while (WHITESPACE.includes(args[p] ?? '#')) p++;
    // Without "key=", the value belongs to the filter's next option in order (its shorthand).
    if (args[p] === '=') p++;
    else {
      key = '';
      p = keyStart;
    }
    const v = avGetToken(args, p, ':');
    out.push([key, v.token]);
    p = v.pos;
    if (args[p] === ':') p++;
  }
  return out;
}

/** A chain of filters as the graph parser reads it: name[=args] separated by ','. */
function parseChain(graph: string): { name: string; options: [string, string][] }[] {
  const filters: { name: string; options: [string, string][] }[] = [];
  let p = 0;
  for (;;) {
    const name = avGetToken(graph, p, '=,;[');
    p = name.pos;
    let args = '';
    if (graph[p] === '=') {
      const a = avGetToken(graph, p + 1, '[],;');
      args = a.token;
      p = a.pos;
    }
    filters.push({ name: name.token, options: parseOptions(args) });
    if (graph[p] !== ',') break;
    p++;
  }
  if (p !== graph.length) throw new Error(`graph not consumed: stopped at ${p} of ${JSON.stringify(graph)}`);
  return filters;
}

const drawtext = (options: [string, string][]) => `drawtext=${graphArgs(options.map(([k, v]) => `${k}=${filterValue(v)}`).join(':'))}`;

// C strings end at NUL: a path or text never holds one (the contract refuses NUL in paths).
const anyText = fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replaceAll('\0', ''));
const nasty = fc
  .array(fc.constantFrom(...'\\\':;,[]= \t\n\r%{}"$()/.-_aZ9'.split(''), 'é', '\u{1F600}', "'\\''", '\\\\', '[in]', ';[x]'), { maxLength: 30 })
  .map((a) => a.join(''));

describe('filter graph escaping (model of FFmpeg parsers)', () => {
  it('plain values keep their structure', () => {
    expect(parseChain(`scale=320:240,${drawtext([['textfile', '/tmp/a b/c.txt'], ['x', '(w-text_w)/2']])}`)).toEqual([
      { name: 'scale', options: [['', '320'], ['', '240']] },
      { name: 'drawtext', options: [['textfile', '/tmp/a b/c.txt'], ['x', '(w-text_w)/2']] },
    ]);
  });

  it('any value, wherever it stands among the options, comes back exactly and adds no option or filter', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, nasty), fc.integer({ min: 0, max: 2 }), (value, at) => {
        const options: [string, string][] = [['fontsize', '12'], ['x', '(w-text_w)/2']];
        options.splice(at, 0, ['textfile', value]);
        const graph = `color=c=black,${drawtext(options)},format=yuv420p`;
        const parsed = parseChain(graph);
        expect(parsed.map((f) => f.name)).toEqual(['color', 'drawtext', 'format']);
        expect(parsed[1]!.options).toEqual(options);
      }),
      { numRuns: 2000 },
    );
  });

  it('an expression with commas and colons stays one option', () => {
    const enable = 'between(t,1.000000,2.999900)';
    const text = '%{eif:floor((t+3.5)/3600):d:2}';
    expect(parseChain(drawtext([['text', text], ['enable', enable]]))[0]!.options).toEqual([['text', text], ['enable', enable]]);
  });
});

describe('filter graph escaping (real ffmpeg)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-escape-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const draw = async (textfile: string) => {
    const sub = mkdtempSync(join(dir, 'g-'));
    const script = join(sub, 'graph.txt');
    const graph = `color=c=black:s=64x48:d=0.04,${drawtext([['fontfile', captionFontFile()], ['textfile', textfile], ['expansion', 'none'], ['fontsize', '12']])}[out]`;
    writeFileSync(script, graph, 'utf8');
    await runFfmpeg(['-v', 'error', '-filter_complex_script', `file:${script}`, '-map', '[out]', '-f', 'null', '-'], { timeoutMs: 30_000 });
  };

  it('opens a caption file whose name holds any character a file name can', async () => {
    // File names: no "/" and no NUL; at most 200 bytes, as file systems allow.
    const name = fc
      .oneof(anyText, nasty)
      .map((s) => s.replaceAll('/', '').replace(/^\.{1,2}$/, 'dots'))
      .filter((s) => s.length > 0 && Buffer.byteLength(s) <= 200);
    const names = fc.sample(name, { numRuns: 25, seed: 4242 });
    names.push(" ' leading and trailing \t", "a\\'b:c,d;e[f]g\\", '%{eif:1:d}', '\n');
    for (const n of names) {
      const sub = join(dir, `f-${names.indexOf(n)}`);
      mkdirSync(sub);
      const file = join(sub, n);
      writeFileSync(file, 'caption', 'utf8');
      await expect(draw(file), JSON.stringify(n)).resolves.toBeUndefined();
    }
  }, 120_000);

  it('fails on a file that is not there (the check above is not vacuous)', async () => {
    await expect(draw(join(dir, 'missing: file.txt'))).rejects.toThrow();
  });
});
