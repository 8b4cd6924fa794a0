import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { parseMediaPath } from '../../core/contract/media-paths.js';
import { decideRange } from '../../core/http-range.js';
import { mediaType } from '../../core/media-types.js';
import type { DataLayout } from '../../node/paths.js';
import type { ReadableStore } from '../store/store.js';
import type { ThumbnailsMeta } from '../index/index-service.js';

export interface MediaResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable | null;
}

function notFound(): MediaResponse {
  return { status: 404, headers: { 'content-type': 'text/plain' }, body: null };
}

function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Serves media by id: a registered recording (or its proxy), a thumbnail sheet, an extracted
 * frame. Paths never come from the request. Derived files must resolve (symlinks included)
 * inside the data directory.
 */
export class MediaFiles {
  constructor(
    private readonly store: ReadableStore,
    private readonly layout: DataLayout,
  ) {}

  /**
   * `derived` files must resolve inside `root` (default the data directory); an agent frame ref
   * reaches only the agent frames folder of its part, nothing else that is derived.
   */
  resolve(path: string): { file: string; derived: boolean; root?: string } | null {
    const target = parseMediaPath(path);
    if (!target) return null;
    const part = this.store.getPart(target.partId);
    if (!part) return null;
    if (target.kind === 'part') {
      if (part.playback === 'proxy') return { file: this.layout.proxy(part.case_id, part.id), derived: true };
      return { file: part.path, derived: false };
    }
    if (target.kind === 'thumbs') {
      const meta = this.store.thumbnailsMeta<ThumbnailsMeta>(part.id);
      const sheet = meta?.sheets[target.sheet];
      if (!sheet) return null;
      return { file: join(this.layout.thumbsDir(part.case_id, part.id), sheet.file), derived: true };
    }
    if (target.kind === 'agent-frame') {
      const file = this.layout.agentFrame(part.case_id, part.id, target.name);
      const legacy = this.layout.legacyAgentFrame(part.case_id, part.id, target.name);
      return {
        file: !existsSync(file) && existsSync(legacy) ? legacy : file,
        derived: true,
        root: this.layout.agentFramesDir(part.case_id, part.id),
      };
    }
    return { file: this.layout.frame(part.case_id, part.id, target.index), derived: true };
  }

  respond(path: string, rangeHeader: string | null | undefined, method = 'GET'): MediaResponse {
    const r = this.resolve(path);
    if (!r) return notFound();
    let file = r.file;
    let size: number;
    try {
      if (r.derived) {
        file = realpathSync(file);
        // Both checks: a narrower root that is itself a link out of the data folder is no root.
        if (!inside(realpathSync(this.layout.root), file)) return notFound();
        if (r.root && !inside(realpathSync(r.root), file)) return notFound();
      }
      const st = statSync(file);
      if (!st.isFile()) return notFound();
      size = st.size;
    } catch {
      return notFound();
    }
    const type = mediaType(file);
    const base = {
      'content-type': type,
      'accept-ranges': 'bytes',
      'cache-control': r.derived ? 'private, max-age=3600' : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    const d = decideRange(rangeHeader, size);
    if (d.status === 416) {
      return { status: 416, headers: { ...base, 'content-range': `bytes */${size}` }, body: null };
    }
    const length = size === 0 ? 0 : d.end - d.start + 1;
    const headers: Record<string, string> = { ...base, 'content-length': String(length) };
    if (d.status === 206) headers['content-range'] = `bytes ${d.start}-${d.end}/${size}`;
    const body = method === 'HEAD' || length === 0 ? null : createReadStream(file, { start: d.start, end: d.end });
    return { status: d.status, headers, body };
  }
}
