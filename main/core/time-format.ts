/** Parses seconds ("754.5") or clock time ("00:12:34", "12:34.250", "1:02:03.5"). */
export function parseTime(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) ? input : null;
  const s = input.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)(s)?$/i.test(s)) {
    const v = Number.parseFloat(s);
    return Number.isFinite(v) ? v : null;
  }
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(s);
  if (!m) return null;
  const h = m[1] ? Number(m[1]) : 0;
  const min = Number(m[2]);
  const sec = Number(m[3]);
  if (min >= 60 && m[1] !== undefined) return null;
  if (sec >= 60) return null;
  return h * 3600 + min * 60 + sec;
}

/** "1:02:03.250" style clock for display; hours only when needed. */
export function formatTime(seconds: number, opts: { millis?: boolean; forceHours?: boolean } = {}): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const neg = seconds < 0;
  let ms = Math.round(Math.abs(seconds) * 1000);
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const s = Math.floor(ms / 1000);
  ms -= s * 1000;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  let out = h > 0 || opts.forceHours ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  if (opts.millis) out += `.${pad(ms, 3)}`;
  return (neg ? '-' : '') + out;
}

/** "HH:MM:SS.mmm", the form models and manifests use. */
export function formatClock(seconds: number): string {
  return formatTime(seconds, { millis: true, forceHours: true }).replace(/^(\d):/, '0$1:');
}
