import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkFree, commitStaged, discard, StagedFiles } from '../../../../../main/host/export/commit-files.js';

describe('committing the files of an export', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-commit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const stage = (token: string, names: string[]) => {
    const files = new StagedFiles(token);
    for (const n of names) writeFileSync(files.temp(join(dir, n)), `content of ${n}`);
    return files;
  };

  it('writes under hidden temporary names, and gives every file its name at the end', async () => {
    const files = stage('e1', ['clip.mp4', 'clip.json']);
    expect(readdirSync(dir).sort()).toEqual(['.clip.json.e1.partial', '.clip.mp4.e1.partial']);
    await commitStaged(files.files, false);
    expect(readdirSync(dir).sort()).toEqual(['clip.json', 'clip.mp4']);
    expect(readFileSync(join(dir, 'clip.mp4'), 'utf8')).toBe('content of clip.mp4');
  });

  it('replaces nothing unless asked, and then leaves none of its files behind', async () => {
    writeFileSync(join(dir, 'clip.json'), 'older manifest');
    await expect(checkFree([join(dir, 'clip.mp4'), join(dir, 'clip.json')])).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/clip\.json already exists/) });
    const files = stage('e2', ['clip.mp4', 'clip.json']);
    await expect(commitStaged(files.files, false)).rejects.toMatchObject({ code: 'conflict' });
    // Not half a clip: the clip was not placed either, and the temporary files are gone.
    expect(readdirSync(dir)).toEqual(['clip.json']);
    expect(readFileSync(join(dir, 'clip.json'), 'utf8')).toBe('older manifest');
  });

  it('a batch with one name taken meanwhile places none of its files', async () => {
    const files = stage('e3', ['a.mp4', 'b.json']);
    // b.json appears after a first part of the export was placed.
    const [a, b] = files.files;
    await commitStaged([a!], false);
    writeFileSync(join(dir, 'b.json'), 'someone else');
    const again = stage('e4', ['c.mp4']);
    await expect(commitStaged([...again.files, b!], false)).rejects.toMatchObject({ code: 'conflict' });
    expect(readdirSync(dir).sort()).toEqual(['a.mp4', 'b.json']);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe('someone else');
  });

  it('overwrites when asked', async () => {
    writeFileSync(join(dir, 'clip.mp4'), 'old');
    const files = stage('e5', ['clip.mp4']);
    await commitStaged(files.files, true);
    expect(readFileSync(join(dir, 'clip.mp4'), 'utf8')).toBe('content of clip.mp4');
  });

  it('discards the temporary files of a failed export', async () => {
    const files = stage('e6', ['clip.mp4', 'clip-still-1.png']);
    await discard(files.files);
    expect(readdirSync(dir)).toEqual([]);
  });
});
