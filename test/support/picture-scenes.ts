/*
 * A labelled set of surgical scenes for picture retrieval: six regions of the real robotic tissue
 * clip (a 3 x 2 grid: each region shows different tissue and instruments, all with the same
 * colours), each seen six ways — at other moments of the clip, shifted, zoomed, recoloured,
 * darkened, and under a burned-in banner. A retrieval method is good when a view finds the other
 * views of its own region first; the colours alone barely tell the regions apart.
 */
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import type { RgbFrame } from '../../main/core/signals/types.js';
import { ffmpegVideo, syntheticVideo } from './media.js';

export interface SceneView {
  scene: number;
  view: string;
  /** Seconds into the clip. */
  time: number;
  /** ffmpeg filters applied to the full 1920x1080 frame before the picture is shrunk. */
  filters: string;
}

const COLS = 3;
const ROWS = 2;
const W = 640;
const H = 540;

function region(scene: number, dx = 0, dy = 0, zoom = 1): string {
  const x0 = (scene % COLS) * W;
  const y0 = Math.floor(scene / COLS) * H;
  const w = Math.round(W * zoom);
  const h = Math.round(H * zoom);
  const x = Math.min(1920 - w, Math.max(0, Math.round(x0 + (W - w) / 2 + dx * W)));
  const y = Math.min(1080 - h, Math.max(0, Math.round(y0 + (H - h) / 2 + dy * H)));
  return `crop=${w}:${h}:${x}:${y}`;
}

/** Every view of every scene, in a fixed order. */
export function sceneViews(): SceneView[] {
  const out: SceneView[] = [];
  for (let scene = 0; scene < COLS * ROWS; scene++) {
    out.push(
      { scene, view: 'as recorded', time: 0, filters: region(scene) },
      { scene, view: 'later, shifted', time: 0.5, filters: region(scene, 0.08, 0) },
      { scene, view: 'zoomed in', time: 1.0, filters: region(scene, 0, 0, 0.82) },
      { scene, view: 'recoloured', time: 1.5, filters: `${region(scene, -0.05, 0.04)},hue=h=18:s=1.25` },
      { scene, view: 'darker', time: 1.9, filters: `${region(scene, 0, -0.06)},eq=brightness=-0.10:contrast=1.15` },
      { scene, view: 'with a banner', time: 0.8, filters: `${region(scene, -0.06, 0)},drawbox=x=0:y=0:w=iw:h=ih*0.14:color=black@1:t=fill,drawbox=x=iw*0.05:y=ih*0.03:w=iw*0.5:h=ih*0.07:color=white@1:t=fill` },
    );
  }
  return out;
}

/** A view as a side x side RGB picture (squeezed, as the picture index squeezes frames). */
export async function decodeView(clip: string, v: SceneView, side: number): Promise<RgbFrame> {
  const bytes = side * side * 3;
  const { stdout } = await runFfmpeg(
    ['-v', 'error', '-ss', v.time.toFixed(3), '-i', inputPath(clip), '-frames:v', '1', '-vf', `${v.filters},scale=${side}:${side}:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { timeoutMs: 60_000, maxStdoutBytes: bytes },
  );
  if (stdout.length < bytes) throw new Error(`no picture for scene ${v.scene} (${v.view})`);
  return { width: side, height: side, data: new Uint8Array(stdout.subarray(0, bytes)) };
}

/**
 * recall@k of a similarity matrix: for each view, the share of the other views of its scene (at
 * most k of them) found among its k most similar other views; averaged over all views.
 */
export function recallAtK(sim: (i: number, j: number) => number, labels: readonly number[], k: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const others = labels.map((_, j) => j).filter((j) => j !== i).sort((a, b) => sim(i, b) - sim(i, a));
    const relevant = labels.filter((l, j) => j !== i && l === labels[i]).length;
    const found = others.slice(0, k).filter((j) => labels[j] === labels[i]).length;
    total += relevant === 0 ? 0 : found / Math.min(k, relevant);
  }
  return total / labels.length;
}

/** The colour-histogram baseline: a joint 8x8x8 RGB histogram, compared by Hellinger (cosine of square roots). */
export function colourHistogram(f: RgbFrame): Float32Array {
  const h = new Float32Array(512);
  const n = f.width * f.height;
  for (let i = 0; i < n; i++) h[((f.data[3 * i]! >> 5) << 6) | ((f.data[3 * i + 1]! >> 5) << 3) | (f.data[3 * i + 2]! >> 5)]! += 1;
  let norm = 0;
  for (let i = 0; i < 512; i++) {
    h[i] = Math.sqrt(h[i]! / n);
    norm += h[i]! * h[i]!;
  }
  const k = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < 512; i++) h[i]! *= k;
  return h;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * A short generated case in which a scene of the real tissue clip comes back: 0-6 s generated
 * endoscope video, 6-10 s the tissue (top-left of the frame), 10-16 s generated again, 16-20 s
 * the tissue again, cropped elsewhere and recoloured, 20-24 s generated. Keyframes every 2 s.
 */
export async function recurringSceneCase(clip: string): Promise<string> {
  const syn = await syntheticVideo({ duration: 16, width: 640, height: 360, fps: 25, gop: 2, seed: 7, events: [] });
  const graph = [
    '[0:v]fps=25,scale=640:360,setsar=1,split=3[s0][s1][s2]',
    '[1:v]fps=25,split=2[t0][t1]',
    '[s0]trim=0:6,setpts=PTS-STARTPTS[a]',
    '[t0]trim=0:4,setpts=PTS-STARTPTS,crop=1280:720:0:0,scale=640:360,setsar=1[b]',
    '[s1]trim=6:12,setpts=PTS-STARTPTS[c]',
    '[t1]trim=0:4,setpts=PTS-STARTPTS,crop=1200:676:260:150,hue=h=14:s=1.2,eq=brightness=-0.05,scale=640:360,setsar=1[d]',
    '[s2]trim=12:16,setpts=PTS-STARTPTS[e]',
    '[a][b][c][d][e]concat=n=5:v=1:a=0[out]',
  ].join(';');
  return ffmpegVideo('similar-recurring-tissue.mp4', [
    '-i', syn, '-stream_loop', '1', '-i', clip,
    '-filter_complex', graph, '-map', '[out]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
  ]);
}
