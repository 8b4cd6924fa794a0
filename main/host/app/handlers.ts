import type { AppInfo } from '../../core/contract/schemas.js';
import type { DataLayout } from '../../node/paths.js';
import type { HandlersOf } from '../router.js';
import { doctor } from './doctor.js';

export function appHandlers(host: { info(): AppInfo; layout: DataLayout }): HandlersOf<'app'> {
  return {
    'app.info': () => host.info(),
    'app.doctor': () => doctor(host.layout.root),
  };
}
