import { rm } from 'node:fs/promises';
import { OpscopeError } from '../../core/errors.js';
import type { AgentService } from '../agent/agent-service.js';
import { cwdOf } from '../app/user-paths.js';
import type { FrameService } from '../frames/frame-service.js';
import type { PacsService } from '../pacs/pacs-service.js';
import type { HandlersOf } from '../router.js';
import type { Store } from '../store/store.js';
import { browse } from './browse.js';
import type { CaseViews } from './case-views.js';
import type { ChangedFiles } from './changed-files.js';
import { createDemo, type DemoDeps } from './demo.js';

export interface CaseHandlerDeps extends DemoDeps {
  store: Store;
  views: CaseViews;
  frames: FrameService;
  changedFiles: ChangedFiles;
  agent: () => AgentService;
  /** Keeps the patients of cases read from DICOM. */
  pacs: PacsService;
  /** The desktop app's native file dialog. */
  pickFiles?: (() => Promise<string[]>) | undefined;
}

export function caseHandlers(d: CaseHandlerDeps): HandlersOf<'cases'> {
  const { store, views, indexer } = d;
  return {
    'cases.list': () => views.list(),
    'cases.get': ({ caseId }) => {
      const detail = views.detail(caseId);
      d.changedFiles.watch(caseId);
      return detail;
    },
    'cases.import': async (input, ctx) => {
      const results = await d.imports.import({ ...input, ...cwdOf(ctx) });
      if (input.index) for (const r of results) if (r.caseId) indexer.enqueue(r.caseId);
      return results;
    },
    'cases.rename': ({ caseId, name }) => {
      if (!store.renameCase(caseId, name)) throw new OpscopeError('not-found', 'This case no longer exists.');
      d.bus.emit('cases.changed', { caseId });
      return { ok: true as const };
    },
    'cases.delete': async ({ caseId }) => {
      views.requireCase(caseId);
      indexer.cancel(caseId);
      await Promise.all([indexer.whenIdle(caseId), d.agent().cancelCase(caseId)]);
      store.deleteCase(caseId);
      // Derived files only; the user's recordings are never touched.
      await rm(d.layout.caseDir(caseId), { recursive: true, force: true });
      d.bus.emit('cases.changed', { caseId: null });
      return { ok: true as const };
    },
    'cases.reorderParts': ({ caseId, partIds }) => {
      views.requireCase(caseId);
      const parts = store.partsOf(caseId);
      const same = parts.length === partIds.length && parts.every((p) => partIds.includes(p.id));
      if (!same) throw new OpscopeError('invalid-input', 'The new order must list every part of the case exactly once.');
      store.reorderParts(caseId, partIds);
      d.bus.emit('cases.changed', { caseId });
      return views.detail(caseId);
    },
    'cases.setView': ({ caseId, view }) => {
      if (!store.setView(caseId, view)) throw new OpscopeError('not-found', 'This case no longer exists.');
      return { ok: true as const };
    },
    'cases.tracks': ({ caseId }) => views.tracks(caseId),
    'cases.thumbnails': ({ caseId }) => views.thumbnails(caseId),
    'cases.patient': ({ caseId }) => {
      views.requireCase(caseId);
      return d.pacs.patientOf(caseId);
    },
    'cases.frameTimes': async ({ partId }) => ({ partId, times: Array.from(await d.frames.frameTimes(partId)) }),
  };
}

export function fileHandlers(pickFiles: (() => Promise<string[]>) | undefined): HandlersOf<'files'> {
  return {
    'files.pick': async () => {
      if (!pickFiles) throw new OpscopeError('unavailable', 'A native file dialog exists only in the desktop app; choose files by path here.');
      return { paths: await pickFiles() };
    },
    'files.browse': ({ dir }) => browse(dir),
  };
}

export function demoHandlers(d: DemoDeps): HandlersOf<'demo'> {
  return { 'demo.create': () => createDemo(d) };
}
