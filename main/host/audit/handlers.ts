import { dirname } from 'node:path';
import type { DataLayout } from '../../node/paths.js';
import { cwdOf, ensureExportsFolder } from '../app/user-paths.js';
import type { HandlersOf } from '../router.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { AuditService } from './audit-service.js';

export function auditHandlers(audit: AuditService, settings: SettingsService, layout: DataLayout): HandlersOf<'audit'> {
  return {
    'audit.list': ({ limit, before }) => audit.list(limit, before),
    'audit.export': async ({ out, overwrite }, ctx) => {
      await ensureExportsFolder(layout, dirname(out));
      return audit.export({ out, overwrite, actor: settings.actor(), ...cwdOf(ctx) });
    },
  };
}
