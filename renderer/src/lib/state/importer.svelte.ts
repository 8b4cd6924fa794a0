import { SvelteSet } from 'svelte/reactivity';
import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { BrowseResult, ImportResult } from '../../../../main/core/contract/schemas.js';
import { errorMessage } from '../api/index.js';

export type ImportMode = 'one-case' | 'case-per-file';

/** Paths pasted one per line; quotes that file managers add around a path are removed. */
export function parsePathList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .map((l) => (/^(['"]).*\1$/.test(l) ? l.slice(1, -1) : l))
    .map((l) => (l.startsWith('file://') ? safeDecode(l.slice('file://'.length)) : l))
    .filter((l) => l.length > 0);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const LAST_DIR_KEY = 'opscope.import.lastDir';

/**
 * The "Open recordings" dialog: paths typed or pasted, a folder browser with multi-select (the
 * browser version cannot learn real paths from a file picker), the native dialog in the desktop
 * app, and the outcome of the import per file.
 */
export class Importer {
  open = $state(false);
  pathsText = $state('');
  selected = new SvelteSet<string>();
  mode = $state<ImportMode>('one-case');
  name = $state('');
  browse = $state.raw<BrowseResult | null>(null);
  browsing = $state(false);
  browseError = $state<string | null>(null);
  running = $state(false);
  progress = $state<{ done: number; total: number; path: string } | null>(null);
  results = $state.raw<ImportResult[] | null>(null);
  error = $state<string | null>(null);
  /** Shown at the top of the dialog when it was opened by a drop the browser cannot use. */
  notice = $state<string | null>(null);

  paths = $derived.by(() => {
    const out: string[] = [];
    for (const p of [...parsePathList(this.pathsText), ...this.selected]) if (!out.includes(p)) out.push(p);
    return out;
  });

  constructor(private readonly api: OpscopeApi) {}

  show(opts: { paths?: string[]; notice?: string } = {}): void {
    if (!this.running) {
      this.results = null;
      this.error = null;
      this.progress = null;
    }
    this.notice = opts.notice ?? null;
    if (opts.paths?.length) {
      const existing = parsePathList(this.pathsText);
      this.pathsText = [...existing, ...opts.paths.filter((p) => !existing.includes(p))].join('\n');
    }
    this.open = true;
    if (!this.browse && !this.browsing) void this.browseTo(localStorage.getItem(LAST_DIR_KEY) ?? undefined, true);
  }

  close(): void {
    this.open = false;
    this.notice = null;
  }

  /** Clears the choice after a finished import, so the next one starts empty. */
  reset(): void {
    this.pathsText = '';
    this.selected.clear();
    this.name = '';
    this.results = null;
    this.error = null;
    this.progress = null;
  }

  async browseTo(dir?: string, quietFallback = false): Promise<void> {
    this.browsing = true;
    this.browseError = null;
    try {
      this.browse = await this.api.call('files.browse', dir ? { dir } : {});
      localStorage.setItem(LAST_DIR_KEY, this.browse.dir);
    } catch (err) {
      if (quietFallback && dir) {
        // The remembered folder is gone: start from the home folder instead.
        localStorage.removeItem(LAST_DIR_KEY);
        this.browsing = false;
        return this.browseTo(undefined, false);
      }
      this.browseError = errorMessage(err);
    } finally {
      this.browsing = false;
    }
  }

  toggle(path: string): void {
    if (this.selected.has(path)) this.selected.delete(path);
    else this.selected.add(path);
  }

  selectAllVideos(): void {
    for (const e of this.browse?.entries ?? []) if (e.kind === 'video') this.selected.add(e.path);
  }

  remove(path: string): void {
    this.selected.delete(path);
    this.pathsText = parsePathList(this.pathsText)
      .filter((p) => p !== path)
      .join('\n');
  }

  async pickNative(): Promise<void> {
    try {
      const r = await this.api.call('files.pick', {});
      if (r.paths.length) this.show({ paths: r.paths });
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  /** Runs the import; returns the results (also kept for the dialog), or null when it failed. */
  async run(): Promise<ImportResult[] | null> {
    const paths = this.paths;
    if (paths.length === 0 || this.running) return null;
    this.running = true;
    this.error = null;
    this.results = null;
    this.progress = { done: 0, total: paths.length, path: '' };
    try {
      const name = this.name.trim();
      const results = await this.api.call('cases.import', {
        paths,
        mode: this.mode,
        ...(name ? { name } : {}),
      });
      this.results = results;
      return results;
    } catch (err) {
      this.error = errorMessage(err);
      return null;
    } finally {
      this.running = false;
    }
  }

  onProgress(p: { done: number; total: number; path: string }): void {
    if (this.running) this.progress = p;
  }
}
