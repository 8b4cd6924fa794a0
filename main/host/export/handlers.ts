import { dirname } from 'node:path';
import { Deidentify } from '../../core/contract/export-schemas.js';
import type { DataLayout } from '../../node/paths.js';
import { ensureExportsFolder, userPath } from '../app/user-paths.js';
import type { DeidService } from '../deid/deid-service.js';
import type { HandlersOf } from '../router.js';
import type { ExportService } from './export-service.js';

export function exportHandlers(exports: ExportService, deid: DeidService, layout: DataLayout): HandlersOf<'export'> {
  return {
    'export.clip': async (input, ctx) => {
      const out = userPath(input.out, ctx);
      await ensureExportsFolder(layout, dirname(out));
      const { exportId } = await exports.startClip({ ...input, out });
      return { exportId };
    },
    'export.batch': async ({ caseId, evidenceIds, outDir, ...options }, ctx) => {
      const dir = userPath(outDir, ctx);
      await ensureExportsFolder(layout, dir);
      const { exportId } = await exports.startBatch(caseId, evidenceIds, dir, options);
      return { exportId };
    },
    'export.cancel': ({ exportId }) => ({ canceled: exports.cancel(exportId) }),
    'export.preview': async ({ caseId, evidenceId, start, end, deidentify }) => {
      const range = exports.rangeOf(caseId, evidenceId, start, end);
      return deid.preview(caseId, range.start, range.end, deidentify ?? Deidentify.parse({}));
    },
  };
}
