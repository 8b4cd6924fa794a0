/*
 * The sample table of an MP4/MOV video track, read from its `moov` box: where each coded frame
 * lies in the file, its decode and presentation times, and which frames are sync samples. With
 * it a decoder can be fed exactly the frames from the keyframe before a wanted frame up to that
 * frame, without asking ffmpeg to open and seek the file again for every frame.
 *
 * Only what a warm decoder can take is accepted: one H.264 track (avc1/avc3) in a file that is
 * not fragmented. Anything else is reported as `unsupported` with the reason, and frames of that
 * recording are fetched by an exact seek in a new ffmpeg instead.
 */

export interface SampleTable {
  codec: 'avc1' | 'avc3';
  /** The AVCDecoderConfigurationRecord (`avcC`): parameter sets and the NAL length size. */
  config: Uint8Array;
  width: number;
  height: number;
  /** Units per second of `dts` and `pts`. */
  timescale: number;
  /** Per sample, in decode (file) order. */
  offsets: Float64Array;
  sizes: Uint32Array;
  dts: Float64Array;
  pts: Float64Array;
  /** Decode indices of the sync samples, ascending. */
  syncs: Uint32Array;
  /** Decode index of the k-th frame in presentation order. */
  byPresentation: Uint32Array;
  /** How many later-presented frames a decoder must hold before it can show a frame (B-frames). */
  reorderDepth: number;
}

export type SampleTableResult = { table: SampleTable } | { unsupported: string };

interface Box {
  type: string;
  /** Payload start and end (after the header). */
  start: number;
  end: number;
}

function boxes(view: DataView, start: number, end: number): Box[] {
  const out: Box[] = [];
  let p = start;
  while (p + 8 <= end) {
    let size = view.getUint32(p);
    const type = String.fromCharCode(view.getUint8(p + 4), view.getUint8(p + 5), view.getUint8(p + 6), view.getUint8(p + 7));
    let header = 8;
    if (size === 1) {
      if (p + 16 > end) break;
      size = Number(view.getBigUint64(p + 8));
      header = 16;
    } else if (size === 0) {
      size = end - p;
    }
    if (size < header || p + size > end) break;
    out.push({ type, start: p + header, end: p + size });
    p += size;
  }
  return out;
}

function child(view: DataView, parent: Box, type: string): Box | undefined {
  return boxes(view, parent.start, parent.end).find((b) => b.type === type);
}

function path(view: DataView, parent: Box, ...types: string[]): Box | undefined {
  let cur: Box | undefined = parent;
  for (const t of types) {
    if (!cur) return undefined;
    cur = child(view, cur, t);
  }
  return cur;
}

/**
 * A top-level box of a file from the (up to) 16 bytes at `offset`: its type and whole size, or
 * null when they do not make a box inside the file. The caller walks the boxes to `moov`.
 */
export function topLevelBox(header: Uint8Array, offset: number, fileSize: number): { type: string; offset: number; size: number } | null {
  if (header.length < 8) return null;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  let size = view.getUint32(0);
  const type = String.fromCharCode(header[4]!, header[5]!, header[6]!, header[7]!);
  if (size === 1) {
    if (header.length < 16) return null;
    size = Number(view.getBigUint64(8));
  } else if (size === 0) {
    size = fileSize - offset;
  }
  if (size < 8 || offset + size > fileSize) return null;
  return { type, offset, size };
}

/** Reads the first video track of a `moov` box's payload (the bytes after its 8-byte header). */
export function parseMoov(moov: Uint8Array): SampleTableResult {
  const view = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const root: Box = { type: 'moov', start: 0, end: moov.byteLength };
  const top = boxes(view, root.start, root.end);
  if (top.some((b) => b.type === 'mvex')) return { unsupported: 'a fragmented MP4' };
  const trak = top
    .filter((b) => b.type === 'trak')
    .find((t) => {
      const hdlr = path(view, t, 'mdia', 'hdlr');
      return hdlr !== undefined && hdlr.end - hdlr.start >= 12 && ascii(moov, hdlr.start + 8, 4) === 'vide';
    });
  if (!trak) return { unsupported: 'no video track' };
  const tkhd = child(view, trak, 'tkhd');
  if (tkhd) {
    // The display matrix: anything but identity (a rotated or mirrored picture) is left to
    // ffmpeg, which applies it.
    const m = tkhd.start + (view.getUint8(tkhd.start) === 1 ? 52 : 40);
    if (m + 16 <= tkhd.end && (view.getInt32(m + 4) !== 0 || view.getInt32(m + 12) !== 0 || view.getInt32(m) <= 0 || view.getInt32(m + 16) <= 0)) {
      return { unsupported: 'a rotated picture' };
    }
  }
  const mdhd = path(view, trak, 'mdia', 'mdhd');
  const stbl = path(view, trak, 'mdia', 'minf', 'stbl');
  if (!mdhd || !stbl) return { unsupported: 'an incomplete video track' };
  const timescale = view.getUint8(mdhd.start) === 1 ? view.getUint32(mdhd.start + 20) : view.getUint32(mdhd.start + 12);
  if (!(timescale > 0)) return { unsupported: 'a video track without a time scale' };

  const stsd = child(view, stbl, 'stsd');
  if (!stsd || view.getUint32(stsd.start + 4) < 1) return { unsupported: 'no sample description' };
  const entry = boxes(view, stsd.start + 8, stsd.end)[0];
  if (!entry || (entry.type !== 'avc1' && entry.type !== 'avc3')) return { unsupported: `the codec ${entry?.type ?? 'unknown'}` };
  if (view.getUint32(stsd.start + 4) > 1) return { unsupported: 'several sample descriptions' };
  // A visual sample entry: 8 bytes of reserved and data reference, then 70 of picture fields.
  const width = view.getUint16(entry.start + 24);
  const height = view.getUint16(entry.start + 26);
  const avcC = boxes(view, entry.start + 78, entry.end).find((b) => b.type === 'avcC');
  if (!avcC || avcC.end - avcC.start < 7) return { unsupported: 'H.264 without its configuration record' };
  const config = moov.slice(avcC.start, avcC.end);

  const stsz = child(view, stbl, 'stsz');
  const stz2 = child(view, stbl, 'stz2');
  let sizes: Uint32Array;
  if (stsz) {
    const fixed = view.getUint32(stsz.start + 4);
    const n = view.getUint32(stsz.start + 8);
    sizes = new Uint32Array(n);
    for (let i = 0; i < n; i++) sizes[i] = fixed || view.getUint32(stsz.start + 12 + 4 * i);
  } else if (stz2) {
    const field = view.getUint8(stz2.start + 7);
    const n = view.getUint32(stz2.start + 8);
    sizes = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const at = stz2.start + 12;
      sizes[i] = field === 16 ? view.getUint16(at + 2 * i) : field === 8 ? view.getUint8(at + i) : (view.getUint8(at + (i >> 1)) >> (i & 1 ? 0 : 4)) & 15;
    }
  } else return { unsupported: 'no sample sizes' };
  const n = sizes.length;
  if (n === 0) return { unsupported: 'no video samples' };

  const stco = child(view, stbl, 'stco');
  const co64 = child(view, stbl, 'co64');
  const stsc = child(view, stbl, 'stsc');
  if ((!stco && !co64) || !stsc) return { unsupported: 'no chunk table' };
  const chunkCount = view.getUint32((stco ?? co64)!.start + 4);
  const chunkOffset = (c: number) => (stco ? view.getUint32(stco.start + 8 + 4 * c) : Number(view.getBigUint64(co64!.start + 8 + 8 * c)));
  const offsets = new Float64Array(n);
  const runs = view.getUint32(stsc.start + 4);
  let s = 0;
  for (let r = 0; r < runs && s < n; r++) {
    const at = stsc.start + 8 + 12 * r;
    const first = view.getUint32(at) - 1;
    const perChunk = view.getUint32(at + 4);
    const nextFirst = r + 1 < runs ? view.getUint32(at + 12) - 1 : chunkCount;
    for (let c = first; c < nextFirst && s < n; c++) {
      let off = chunkOffset(c);
      for (let k = 0; k < perChunk && s < n; k++) {
        offsets[s] = off;
        off += sizes[s]!;
        s++;
      }
    }
  }
  if (s < n) return { unsupported: 'a chunk table shorter than its samples' };

  const stts = child(view, stbl, 'stts');
  if (!stts) return { unsupported: 'no sample times' };
  const dts = new Float64Array(n);
  let t = 0;
  s = 0;
  for (let r = 0, runsT = view.getUint32(stts.start + 4); r < runsT && s < n; r++) {
    const count = view.getUint32(stts.start + 8 + 8 * r);
    const delta = view.getUint32(stts.start + 12 + 8 * r);
    for (let k = 0; k < count && s < n; k++) {
      dts[s++] = t;
      t += delta;
    }
  }
  for (; s < n; s++) dts[s] = t;
  const pts = Float64Array.from(dts);
  const ctts = child(view, stbl, 'ctts');
  if (ctts) {
    s = 0;
    for (let r = 0, runsC = view.getUint32(ctts.start + 4); r < runsC && s < n; r++) {
      const count = view.getUint32(ctts.start + 8 + 8 * r);
      // Signed in version 1; writers of version 0 use negative offsets too, as ffmpeg reads them.
      const offset = view.getInt32(ctts.start + 12 + 8 * r);
      for (let k = 0; k < count && s < n; k++, s++) pts[s] = dts[s]! + offset;
    }
  }

  const stss = child(view, stbl, 'stss');
  let syncs: Uint32Array;
  if (stss) {
    const m = view.getUint32(stss.start + 4);
    syncs = new Uint32Array(m);
    for (let i = 0; i < m; i++) syncs[i] = view.getUint32(stss.start + 8 + 4 * i) - 1;
    syncs = syncs.filter((v) => v < n).sort();
  } else {
    syncs = Uint32Array.from({ length: n }, (_, i) => i);
  }
  if (syncs.length === 0) return { unsupported: 'no keyframes' };

  let inOrder = true;
  for (let i = 1; i < n && inOrder; i++) inOrder = pts[i]! > pts[i - 1]!;
  // Without B-frames, presentation order is decode order: no sort, no reordering to measure.
  const byPresentation = inOrder ? Uint32Array.from({ length: n }, (_, i) => i) : Uint32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => pts[a]! - pts[b]! || a - b));
  return {
    table: { codec: entry.type, config, width, height, timescale, offsets, sizes, dts, pts, syncs, byPresentation, reorderDepth: inOrder ? 0 : reorderDepth(pts) },
  };
}

function ascii(bytes: Uint8Array, at: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(bytes[at + i]!);
  return s;
}

/** The most frames decoded before a frame that are shown after it (looking 32 frames back). */
function reorderDepth(pts: Float64Array): number {
  let depth = 0;
  for (let j = 1; j < pts.length; j++) {
    let later = 0;
    for (let i = Math.max(0, j - 32); i < j; i++) if (pts[i]! > pts[j]!) later++;
    if (later > depth) depth = later;
  }
  return depth;
}

/** The last sync sample at or before decode index `s`, or null. */
export function syncAtOrBefore(table: SampleTable, s: number): number | null {
  const k = table.syncs;
  if (k.length === 0 || k[0]! > s) return null;
  let lo = 0;
  let hi = k.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (k[mid]! <= s) lo = mid;
    else hi = mid - 1;
  }
  return k[lo]!;
}

/** Where a decoder stands: the next decode index it would be fed, or null when it was fed nothing. */
export interface FeedState {
  next: number | null;
}

export interface FeedPlan {
  /** Decode index of the wanted frame. */
  target: number;
  /** First decode index to feed; `seek` when that starts a new run at a sync sample. */
  from: number;
  seek: boolean;
}

/**
 * What to feed a decoder for the frame `rank` (in presentation order): from where it stands when
 * it stands in the same run of frames before the wanted one, else from the sync sample before it.
 * Null when the frames between that sync sample and the wanted one include frames shown before
 * the sync sample (an open GOP's leading frames, which need the run before).
 */
export function planFeed(table: SampleTable, rank: number, state: FeedState): FeedPlan | null {
  const target = table.byPresentation[rank];
  if (target === undefined) return null;
  const key = syncAtOrBefore(table, target);
  if (key === null) return null;
  for (let j = key + 1; j <= target; j++) if (table.pts[j]! < table.pts[key]!) return null;
  if (state.next !== null && state.next >= key && state.next <= target) return { target, from: state.next, seek: false };
  return { target, from: key, seek: true };
}
