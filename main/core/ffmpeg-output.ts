/** Readers for the text ffmpeg prints, for when ffprobe's structured output is not available. */

/** ffmpeg's input summary: the container, its duration, start time, bit rate and creation time. */
export function parseInputSummary(stderr: readonly string[]): {
  formatName: string | null;
  duration: number | null;
  startTime: number;
  bitRate: number | null;
  creationTime: string | null;
} {
  let creationTime: string | null = null;
  let inInput = false;
  let formatName: string | null = null;
  let duration: number | null = null;
  let startTime = 0;
  let bitRate: number | null = null;
  for (const line of stderr) {
    const input = /^Input #0, (.+?), from /.exec(line);
    if (input) {
      formatName = input[1]!;
      inInput = true;
    } else if (/^Output #0|^Stream mapping:/.test(line)) inInput = false;
    const created = inInput ? /^\s+creation_time\s*:\s*(\S+)/.exec(line) : null;
    if (created && creationTime === null) creationTime = created[1]!;
    const d = /^\s*Duration: (?:(\d+):(\d+):(\d+(?:\.\d+)?)|N\/A)(?:, start: (-?\d+(?:\.\d+)?))?(?:, bitrate: (\d+) kb\/s)?/.exec(line);
    if (d) {
      if (d[1] !== undefined) duration = Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]);
      if (d[4] !== undefined) startTime = Number(d[4]);
      if (d[5] !== undefined) bitRate = Number(d[5]) * 1000;
    }
  }
  return { formatName, duration, startTime, bitRate, creationTime };
}

/** One line of ffmpeg's framecrc muxer: stream, dts, pts, duration, size, checksum, then flags. */
export function parseFramecrcLine(line: string, timeBase: number): { pts: number; size: number; key: boolean } | null {
  if (line.startsWith('#') || !line.trim()) return null;
  const fields = line.split(',').map((f) => f.trim());
  if (fields.length < 6) return null;
  const dts = Number(fields[1]);
  const pts = Number(fields[2]);
  const t = Number.isFinite(pts) ? pts : dts;
  if (!Number.isFinite(t)) return null;
  // The muxer prints flags only when they differ from "keyframe".
  const flags = fields.slice(6).find((f) => f.startsWith('F='));
  const key = flags === undefined || (Number.parseInt(flags.slice(2), 16) & 1) === 1;
  return { pts: t * timeBase, size: Number(fields[4]) || 0, key };
}
