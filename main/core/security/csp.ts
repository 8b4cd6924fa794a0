/**
 * The renderer's Content-Security-Policy: scripts only from the app itself, no remote origins,
 * media and images only from the app's own schemes. Styles allow inline attributes because the
 * UI framework sets style attributes on elements; no inline script is ever allowed.
 */
export function contentSecurityPolicy(o: { media: string[]; connect: string[] }): string {
  const media = ["'self'", 'blob:', ...o.media].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src ${media} data:`,
    `media-src ${media}`,
    `connect-src 'self' ${[...o.media, ...o.connect].join(' ')}`.trim(),
    "font-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "worker-src 'self' blob:",
  ].join('; ');
}
