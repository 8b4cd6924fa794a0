/*
 * Words and checks for the PACS dialog, kept apart from the component so they are tested alone.
 */
import type { PacsProgress } from '../../../../main/core/contract/pacs-schemas.js';

/** "2024-05-02" from a DICOM date; the value itself when it is not one. */
export function dicomDate(da: string | null): string {
  const m = da ? /^(\d{4})(\d{2})(\d{2})$/.exec(da) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : (da ?? '');
}

/** "Doe, Jane" from a DICOM person name "Doe^Jane". */
export function personName(pn: string | null): string {
  if (!pn) return '';
  const [family = '', given = '', middle = ''] = pn.split('^');
  return [family, [given, middle].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/** A study date range for QIDO-RS from the two date fields ("2024-05-02" each, either may be empty). */
export function studyDateRange(from: string, to: string): string | undefined {
  const f = from.replace(/-/g, '');
  const t = to.replace(/-/g, '');
  if (!f && !t) return undefined;
  if (f && (!t || t === f)) return t === f ? f : `${f}-`;
  return `${f}-${t}`;
}

/** How far a retrieval is, 0..1 (null while the PACS is being asked what it has). */
export function retrievalFraction(p: PacsProgress): number | null {
  if (p.stage === 'listing' || p.instancesTotal === 0) return null;
  if (p.stage === 'importing') return 1;
  const inner = p.instanceTotal ? (p.instanceBytes ?? 0) / p.instanceTotal : 0;
  return Math.min(1, (p.instancesDone + inner) / p.instancesTotal);
}

export function retrievalText(p: PacsProgress): string {
  if (p.stage === 'listing') return 'Asking the PACS what the study holds…';
  if (p.stage === 'importing') return 'Reading the recordings…';
  const mb = (p.bytes / 1024 ** 2).toFixed(1);
  const cached = p.instancesCached ? `, ${p.instancesCached} already here` : '';
  return `Instance ${Math.min(p.instancesDone + 1, p.instancesTotal)} of ${p.instancesTotal} · ${mb} MB${cached}`;
}

/** True for addresses that never leave the machine (the host decides; this only words the form). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return true;
  }
}
