export type RangeDecision =
  | { status: 200; start: 0; end: number }
  | { status: 206; start: number; end: number }
  | { status: 416 };

/**
 * Interprets a Range header for a file of `size` bytes (RFC 9110 §14). One range is served;
 * a multi-range request is answered with its first range, which every media element accepts.
 * `end` is inclusive.
 */
export function decideRange(header: string | null | undefined, size: number): RangeDecision {
  if (!header) return { status: 200, start: 0, end: size - 1 };
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*(?:,.*)?$/i.exec(header.trim());
  // A Range header we do not understand is ignored, as the RFC allows.
  if (!m || (m[1] === '' && m[2] === '')) return { status: 200, start: 0, end: size - 1 };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { status: 416 };
    return { status: 206, start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return { status: 416 };
  return { status: 206, start, end };
}
