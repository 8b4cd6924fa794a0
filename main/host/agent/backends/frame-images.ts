/*
 * Frames as a model server receives them: the file behind a frame ref, read and sent inline as a
 * base64 data URL (the server never reads our disk, and may be on another machine).
 */

import { realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { mediaPath } from '../../../core/contract/media-paths.js';
import type { DataLayout } from '../../../node/paths.js';
import { MediaFiles } from '../../cases/media-files.js';
import type { ReadableStore } from '../../store/store.js';

/** The image file of a frame ref, or null when there is none. */
export type FrameFileResolver = (ref: string) => string | null;

/** A full-resolution 4K PNG is about 25 MB; anything larger is not a frame of ours. */
export const MAX_IMAGE_BYTES = 40 * 1024 * 1024;

/** Frame refs of the agent's tools (`<partId>/<name>`) to their files inside the data folder. */
export function agentFrameFiles(deps: { store: ReadableStore; layout: DataLayout }): FrameFileResolver {
  const media = new MediaFiles(deps.store, deps.layout);
  return (ref) => {
    const r = media.resolve(mediaPath.agentFrame(ref));
    if (!r?.root) return null;
    try {
      const file = realpathSync(r.file);
      const rel = relative(realpathSync(r.root), file);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? file : null;
    } catch {
      return null;
    }
  };
}

function imageType(head: Uint8Array): string | null {
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head[0] === 0x52 && head[1] === 0x49 && head[2] === 0x46 && head[3] === 0x46 && head[8] === 0x57 && head[9] === 0x45) {
    return 'image/webp';
  }
  return null;
}

/** Reads one image as a data URL; the type comes from the bytes, not the name. */
export async function imageDataUrl(file: string, maxBytes = MAX_IMAGE_BYTES): Promise<string> {
  const st = await stat(file);
  if (!st.isFile()) throw new Error('not a file');
  if (st.size > maxBytes) throw new Error(`the image is ${st.size} bytes, more than ${maxBytes}`);
  const bytes = await readFile(file);
  const type = imageType(bytes);
  if (!type) throw new Error('not a PNG, JPEG or WebP image');
  return `data:${type};base64,${bytes.toString('base64')}`;
}

/**
 * Loads frames once per backend (a run): every turn re-sends the conversation, and with it the
 * same frames. A frame that cannot be read is null; the model is told so in words.
 */
export class FrameImages {
  private readonly cache = new Map<string, Promise<string | null>>();

  constructor(private readonly resolve: FrameFileResolver) {}

  async load(refs: Iterable<string>): Promise<Map<string, string | null>> {
    const wanted = [...new Set(refs)];
    const urls = await Promise.all(wanted.map((ref) => this.one(ref)));
    return new Map(wanted.map((ref, i) => [ref, urls[i] ?? null]));
  }

  private one(ref: string): Promise<string | null> {
    let p = this.cache.get(ref);
    if (!p) {
      p = (async () => {
        const file = this.resolve(ref);
        return file ? await imageDataUrl(file) : null;
      })().catch(() => null);
      this.cache.set(ref, p);
    }
    return p;
  }
}
