import type { OpscopeApi } from '../../../../../main/core/contract/api.js';
import type { InterruptedRecording } from '../../../../../main/core/contract/recording-schemas.js';
import { parseDismissed, withDismissed } from '../../recording/dismissed.js';
import type { Toasts } from '../toasts.svelte.js';

const DISMISSED_KEY = 'opscope.interruptedDismissed';

/** Recordings cut short by a crash (found by the backend at its start), and those people dismissed. */
export class InterruptedRecordings {
  list = $state.raw<InterruptedRecording[]>([]);
  dismissed = $state<string[]>(parseDismissed(stored()));
  visible = $derived(this.list.filter((r) => !this.dismissed.includes(r.recordingId)));

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
  ) {}

  async load(): Promise<void> {
    try {
      this.list = await this.api.call('recording.interrupted', {});
    } catch (err) {
      this.toasts.error('Could not check for interrupted recordings', err);
    }
  }

  /** The backend's list (sent when it found some). */
  set(list: InterruptedRecording[]): void {
    this.list = list;
  }

  /** A recording goes on into the case: it is no longer interrupted. */
  continued(caseId: string): void {
    this.list = this.list.filter((x) => x.caseId !== caseId);
  }

  dismiss(recordingId: string): void {
    this.dismissed = withDismissed(this.dismissed, recordingId);
    localStorage.setItem(DISMISSED_KEY, JSON.stringify(this.dismissed));
  }
}

function stored(): string | null {
  try {
    return localStorage.getItem(DISMISSED_KEY);
  } catch {
    // Storage refused (a sandboxed page): nothing was dismissed.
    return null;
  }
}
