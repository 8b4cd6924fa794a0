import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reportMarkdown } from '../../core/eval/report-md.js';
import type { EvalResult } from '../../core/eval/result.js';
import { writeWhole } from '../whole-file.js';
import { reportPng } from './report-png.js';

export interface WrittenReport {
  markdown: string;
  image: string;
}

// A report open in a viewer is replaced whole, never seen half written.
const writeAtomically = (file: string, data: string | Buffer) => writeWhole(file, (temp) => writeFile(temp, data));

/** report.md and report.png in `dir` (made if missing). */
export async function writeReport(dir: string, result: EvalResult, now = new Date()): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const markdown = join(dir, 'report.md');
  const image = join(dir, 'report.png');
  await writeAtomically(image, await reportPng(result));
  await writeAtomically(markdown, reportMarkdown(result, { date: now.toISOString(), image: 'report.png' }));
  return { markdown, image };
}
