import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { PacsDone, PacsProgress, PacsStudy } from '../../../../main/core/contract/pacs-schemas.js';
import { errorMessage } from '../api/index.js';
import { studyDateRange } from '../pacs/pacs-view.js';

/**
 * The "Open from the PACS" dialog: a search (QIDO-RS) by patient, date and modality, and the
 * retrieval of one study at a time with progress and cancel. What it retrieved is imported by
 * the host; `onImported` opens the case.
 */
export class PacsSearch {
  open = $state(false);
  patientId = $state('');
  patientName = $state('');
  dateFrom = $state('');
  dateTo = $state('');
  modalities = $state<string[]>(['ES', 'XC']);
  searching = $state(false);
  error = $state<string | null>(null);
  server = $state<string | null>(null);
  studies = $state.raw<PacsStudy[] | null>(null);
  retrieving = $state<{ retrievalId: string | null; studyInstanceUid: string; progress: PacsProgress | null } | null>(null);
  done = $state.raw<PacsDone | null>(null);

  constructor(
    private readonly api: OpscopeApi,
    private readonly onImported: (done: PacsDone) => Promise<void>,
  ) {}

  show(defaultModalities?: string[]): void {
    if (defaultModalities?.length && !this.studies) this.modalities = [...defaultModalities];
    this.open = true;
  }

  close(): void {
    this.open = false;
  }

  toggleModality(m: string): void {
    this.modalities = this.modalities.includes(m) ? this.modalities.filter((x) => x !== m) : [...this.modalities, m];
  }

  async search(): Promise<void> {
    this.searching = true;
    this.error = null;
    try {
      const date = studyDateRange(this.dateFrom, this.dateTo);
      const r = await this.api.call('pacs.search', {
        ...(this.patientId.trim() ? { patientId: this.patientId.trim() } : {}),
        ...(this.patientName.trim() ? { patientName: this.patientName.trim() } : {}),
        ...(date ? { studyDate: date } : {}),
        ...(this.modalities.length ? { modalities: this.modalities } : {}),
      });
      this.server = r.server;
      this.studies = r.studies;
    } catch (err) {
      this.error = errorMessage(err);
      this.studies = null;
    } finally {
      this.searching = false;
    }
  }

  async retrieve(study: PacsStudy): Promise<void> {
    if (this.retrieving) return;
    this.error = null;
    this.done = null;
    this.retrieving = { retrievalId: null, studyInstanceUid: study.studyInstanceUid, progress: null };
    try {
      const { retrievalId } = await this.api.call('pacs.retrieve', { studyInstanceUid: study.studyInstanceUid });
      if (this.retrieving) this.retrieving = { ...this.retrieving, retrievalId };
    } catch (err) {
      this.error = errorMessage(err);
      this.retrieving = null;
    }
  }

  async cancel(): Promise<void> {
    const id = this.retrieving?.retrievalId;
    if (id) await this.api.call('pacs.cancel', { retrievalId: id }).catch(() => undefined);
  }

  onProgress(p: PacsProgress): void {
    if (this.retrieving && (this.retrieving.retrievalId === p.retrievalId || this.retrieving.retrievalId === null)) this.retrieving = { ...this.retrieving, retrievalId: p.retrievalId, progress: p };
  }

  async onDone(d: PacsDone): Promise<void> {
    if (!this.retrieving || (this.retrieving.retrievalId !== null && this.retrieving.retrievalId !== d.retrievalId)) return;
    this.retrieving = null;
    this.done = d;
    if (d.outcome === 'failed') this.error = d.message ?? d.errors[0]?.message ?? 'Nothing was retrieved.';
    if (d.outcome === 'done') {
      const inLibrary = d.results.flatMap((r) => (r.caseId ? [r.caseId] : r.files.map((f) => f.caseId))).filter((id, i, all) => all.indexOf(id) === i);
      this.studies = this.studies?.map((s) => (s.studyInstanceUid === d.studyInstanceUid ? { ...s, inLibrary } : s)) ?? null;
      await this.onImported(d);
    }
  }
}
