import type { HandlersOf } from '../router.js';
import type { SettingsService } from './settings-service.js';

export function settingsHandlers(settings: SettingsService): HandlersOf<'settings'> {
  return {
    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.set(patch, settings.actor()),
  };
}
