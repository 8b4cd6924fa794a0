import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import dcmjs from 'dcmjs';
import { OpscopeError } from '../../core/errors.js';
import { isDicomFile } from './read-instance.js';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

/** A folder is searched this deep and this wide for DICOM files when it has no DICOMDIR. */
const MAX_DEPTH = 6;
const MAX_FILES = 5000;

export interface FoundInstances {
  files: string[];
  /** The DICOMDIR the files were listed in, when there was one. */
  dicomdir: string | null;
  /** Files the DICOMDIR names that are not there. */
  missing: string[];
}

/**
 * The instance files of a DICOMDIR: every record that references a file (IMAGE records, as
 * towers write them for video too), its ReferencedFileID components joined under the folder.
 */
export async function readDicomdir(path: string): Promise<FoundInstances> {
  const data = await readFile(path);
  let records: Record<string, unknown>[];
  try {
    const dict = DicomMessage.readFile(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const ds = DicomMetaDictionary.naturalizeDataset(dict.dict);
    records = (ds.DirectoryRecordSequence as Record<string, unknown>[] | undefined) ?? [];
  } catch (err) {
    throw new OpscopeError('unsupported-media', `${path}: the DICOMDIR cannot be read (${err instanceof Error ? err.message : String(err)}).`);
  }
  const root = dirname(path);
  const files: string[] = [];
  const missing: string[] = [];
  for (const r of records) {
    const id = r.ReferencedFileID;
    const parts = (Array.isArray(id) ? id : id ? [id] : []).map((p) => String(p).trim()).filter(Boolean);
    if (parts.length === 0) continue;
    const file = await existingCase(root, parts);
    // A record must not point outside the medium.
    if (!file || !resolve(file).startsWith(resolve(root) + sep)) {
      missing.push(join(root, ...parts));
      continue;
    }
    files.push(file);
  }
  return { files: [...new Set(files)], dicomdir: path, missing };
}

/** ReferencedFileIDs are upper case; a medium copied to a case-sensitive disk may not be. */
async function existingCase(root: string, parts: string[]): Promise<string | null> {
  let dir = root;
  for (const p of parts) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    const hit = entries.find((e) => e === p) ?? entries.find((e) => e.toUpperCase() === p.toUpperCase());
    if (!hit) return null;
    dir = join(dir, hit);
  }
  return (await stat(dir).catch(() => null))?.isFile() ? dir : null;
}

/** A folder's DICOM instances: the DICOMDIR's list, else every DICOM file found in it. */
export async function findDicomInstances(folder: string): Promise<FoundInstances> {
  const entries = await readdir(folder);
  const dicomdir = entries.find((e) => e.toUpperCase() === 'DICOMDIR');
  if (dicomdir) return readDicomdir(join(folder, dicomdir));
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || files.length >= MAX_FILES) return;
    const list = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of list.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile() && basename(p).toUpperCase() !== 'DICOMDIR' && (await isDicomFile(p))) files.push(p);
      if (files.length >= MAX_FILES) return;
    }
  };
  await walk(folder, 0);
  return { files, dicomdir: null, missing: [] };
}
