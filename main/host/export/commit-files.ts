import { link, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OpscopeError } from '../../core/errors.js';

/*
 * How an export writes files: everything under a temporary name beside its final one, then all
 * the names given at once at the end. A failed or canceled export leaves nothing behind, and a
 * reader never finds a half-written clip under the clip's name.
 */

/** A file written under `tmp` that becomes `final` when the export commits. */
export interface Staged {
  tmp: string;
  final: string;
}

const ignore = () => undefined;

/** File-system errors while writing the export, said about the export's folder. */
export function explainWriteFailure(err: unknown, file: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const folder = dirname(file);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new OpscopeError('unavailable', `The disk is full: there is not enough free space in ${folder} for the clip.`);
  }
  if (code === 'EROFS') return new OpscopeError('unavailable', `${folder} is read-only: the clip cannot be written there.`);
  if (code === 'EACCES' || code === 'EPERM') return new OpscopeError('unavailable', `${folder} cannot be written to (permission denied).`);
  return err;
}

/**
 * Temporary names for one export's files, kept so they can be committed or removed together.
 * `token` makes them unique to the export (two exports to one folder do not collide).
 */
export class StagedFiles {
  readonly files: Staged[] = [];

  constructor(private readonly token: string) {}

  /** The temporary name to write `final` under. */
  temp(final: string): string {
    const tmp = join(dirname(final), `.${basename(final)}.${this.token}.partial`);
    this.files.push({ tmp, final });
    return tmp;
  }
}

/** Removes temporary files (an export that failed or was canceled). */
export async function discard(staged: readonly Staged[]): Promise<void> {
  await Promise.all(staged.map((s) => rm(s.tmp, { force: true }).catch(ignore)));
}

/** Refuses names that exist already. */
export async function checkFree(names: readonly string[]): Promise<void> {
  for (const n of names) {
    const exists = await stat(n).then(() => true, () => false);
    if (exists) throw new OpscopeError('conflict', `${n} already exists. Choose another name, or allow overwriting (--overwrite).`);
  }
}

/**
 * Gives the temporary files their names. Without `overwrite` a name that appeared meanwhile is
 * not replaced (a hard link fails on an existing name; file systems without links are checked
 * first). If any step fails, what was already renamed is removed again, and the rest discarded.
 */
export async function commitStaged(staged: readonly Staged[], overwrite: boolean): Promise<void> {
  const done: string[] = [];
  try {
    if (!overwrite) await checkFree(staged.map((s) => s.final));
    for (const s of staged) {
      if (overwrite) await rename(s.tmp, s.final);
      else await placeNew(s.tmp, s.final);
      done.push(s.final);
    }
  } catch (err) {
    await Promise.all([...done.map((f) => rm(f, { force: true }).catch(ignore)), discard(staged)]);
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new OpscopeError('conflict', `A file appeared meanwhile with a name this export uses; nothing was written. Try again.`);
    }
    throw explainWriteFailure(err, staged[0]?.final ?? '');
  }
}

/** Renames `tmp` to `final` unless `final` exists. */
async function placeNew(tmp: string, final: string): Promise<void> {
  try {
    await link(tmp, final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw err;
    // No hard links here (FAT, exFAT, some network shares): check, then rename.
    const exists = await stat(final).then(() => true, () => false);
    if (exists) throw Object.assign(new Error(`${final} exists`), { code: 'EEXIST' });
    await rename(tmp, final);
    return;
  }
  await unlink(tmp);
}
