/** Video inputs as the window lists them, and finding the remembered one again. */

export interface VideoDevice {
  deviceId: string;
  /** Empty until the page may use cameras (the browser hides names before permission). */
  label: string;
}

/**
 * A label without what changes between plug-ins or machines: the USB ids Chromium appends
 * ("HD Capture (1b3f:2202)"), case and spacing.
 */
export function normalizeLabel(label: string): string {
  return label
    .replace(/\s*\([0-9a-f]{4}:[0-9a-f]{4}\)\s*$/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * The device wanted, among those present: the same label first (ids change when a device is
 * plugged into another port), then the same id, then the same label without its USB ids.
 */
export function findDevice(devices: readonly VideoDevice[], wanted: { label?: string | null; deviceId?: string | null }): VideoDevice | null {
  const label = wanted.label?.trim() ?? '';
  if (label) {
    const exact = devices.find((d) => d.label === label);
    if (exact) return exact;
  }
  if (wanted.deviceId) {
    const byId = devices.find((d) => d.deviceId === wanted.deviceId);
    if (byId) return byId;
  }
  if (label) {
    const n = normalizeLabel(label);
    const loose = devices.find((d) => d.label && normalizeLabel(d.label) === n);
    if (loose) return loose;
  }
  return null;
}

/** The name shown for a device: its label, or "Camera 2" while the browser hides labels. */
export function deviceName(d: VideoDevice, index: number): string {
  return d.label.trim() || `Camera ${index + 1}`;
}
