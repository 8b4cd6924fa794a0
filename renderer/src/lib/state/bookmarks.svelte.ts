import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { Bookmark } from '../../../../main/core/contract/bookmark-schemas.js';
import { errorCode } from '../api/index.js';
import type { Toasts } from './toasts.svelte.js';

/** The bookmarks of one open case, in time order (their numbers are 1, 2, 3...). */
export class CaseBookmarks {
  items = $state.raw<Bookmark[]>([]);
  loaded = $state(false);
  private closed = false;
  private request = 0;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    readonly caseId: string,
  ) {}

  async load(): Promise<void> {
    const request = ++this.request;
    try {
      const items = await this.api.call('bookmarks.list', { caseId: this.caseId });
      if (this.closed || request !== this.request) return;
      this.items = items;
      this.loaded = true;
    } catch (err) {
      if (!this.closed && errorCode(err) !== 'not-found') this.toasts.error('Could not load the bookmarks of this case', err);
    }
  }

  /** A bookmark just made or changed, shown before the list is read again. */
  upsert(b: Bookmark): void {
    const rest = this.items.filter((x) => x.bookmarkId !== b.bookmarkId);
    this.items = [...rest, b].sort((x, y) => x.time - y.time || x.createdAt.localeCompare(y.createdAt));
  }

  async setLabel(bookmarkId: string, label: string | null): Promise<boolean> {
    try {
      const b = await this.api.call('bookmarks.update', { bookmarkId, label: label?.trim() ? label.trim() : null });
      if (!this.closed) this.upsert(b);
      return true;
    } catch (err) {
      this.toasts.error('Could not change the bookmark', err);
      return false;
    }
  }

  async remove(bookmarkId: string): Promise<void> {
    try {
      await this.api.call('bookmarks.delete', { bookmarkId });
      if (!this.closed) this.items = this.items.filter((b) => b.bookmarkId !== bookmarkId);
      void this.load();
    } catch (err) {
      this.toasts.error('Could not delete the bookmark', err);
    }
  }

  dispose(): void {
    this.closed = true;
  }
}
