import { runFfmpeg } from '../ffmpeg/run.js';
import { tool } from '../ffmpeg/locate.js';

/**
 * The few places where the ffmpeg versions we meet disagree on syntax: 4.x only knows `-vsync`,
 * which newer releases deprecate in favour of `-fps_mode`; mergeplanes' packed `mapping` option
 * is deprecated since 6.1 in favour of per-plane `mapNs`/`mapNp`; `-filter_complex_script` is
 * deprecated since 7.1 in favour of `-/filter_complex <file>`.
 */
export interface FfmpegCaps {
  fpsMode: boolean;
  mergeplanesPerPlane: boolean;
  filterComplexScript: boolean;
}

const cache = new Map<string, Promise<FfmpegCaps>>();

export function ffmpegCaps(signal?: AbortSignal): Promise<FfmpegCaps> {
  const key = tool('ffmpeg').path;
  let p = cache.get(key);
  if (!p) {
    p = probe(signal);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function probe(signal?: AbortSignal): Promise<FfmpegCaps> {
  const opts = { timeoutMs: 20_000, purpose: 'checking the ffmpeg version', ...(signal ? { signal } : {}) };
  const [general, merge] = await Promise.all([
    runFfmpeg(['-h', 'long'], opts),
    runFfmpeg(['-h', 'filter=mergeplanes'], opts),
  ]);
  return {
    fpsMode: /-fps_mode\b/.test(general.stdout.toString('utf8')),
    mergeplanesPerPlane: /\bmap0s\b/.test(merge.stdout.toString('utf8')),
    filterComplexScript: /-filter_complex_script\b/.test(general.stdout.toString('utf8')),
  };
}
