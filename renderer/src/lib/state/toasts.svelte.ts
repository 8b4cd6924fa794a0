import { errorMessage } from '../api/index.js';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  title: string;
  message: string;
}

/**
 * Messages for the user. Every failed call ends here (or inline next to what failed); errors
 * stay until dismissed, information fades.
 */
export class Toasts {
  items = $state<Toast[]>([]);
  private nextId = 1;

  show(kind: Toast['kind'], title: string, message = '', ttlMs = kind === 'error' ? 0 : 5000): number {
    // The same error repeated (e.g. a retried call) is shown once.
    const twin = this.items.find((t) => t.kind === kind && t.title === title && t.message === message);
    if (twin) return twin.id;
    const id = this.nextId++;
    this.items.push({ id, kind, title, message });
    if (this.items.length > 5) this.items.splice(0, this.items.length - 5);
    if (ttlMs > 0) setTimeout(() => this.dismiss(id), ttlMs);
    return id;
  }

  /** A failed call: what was being done, and the backend's own message. */
  error(what: string, err: unknown): number {
    return this.show('error', what, errorMessage(err));
  }

  info(title: string, message = ''): number {
    return this.show('info', title, message);
  }

  success(title: string, message = ''): number {
    return this.show('success', title, message);
  }

  dismiss(id: number): void {
    const i = this.items.findIndex((t) => t.id === id);
    if (i >= 0) this.items.splice(i, 1);
  }
}
