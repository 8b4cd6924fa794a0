import defaults from '../../../resources/default-settings.json' with { type: 'json' };
import { Settings } from '../../core/contract/schemas.js';
import type { Store } from '../store/store.js';

export const DEFAULT_SETTINGS: Settings = Settings.parse(defaults);

/** The one place settings are read and written: defaults from resources, overrides in the store. */
export class SettingsService {
  constructor(private readonly store: Store) {}

  get(): Settings {
    const merged = { ...DEFAULT_SETTINGS, ...this.store.settingsRaw() };
    const parsed = Settings.safeParse(merged);
    // A value written by another version that no longer validates falls back to its default.
    if (parsed.success) return parsed.data;
    const clean: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const [k, v] of Object.entries(merged)) {
      const one = Settings.shape[k as keyof Settings]?.safeParse(v);
      if (one?.success) clean[k] = one.data;
    }
    return Settings.parse(clean);
  }

  /** Who the audit log names: the reviewer set in the settings, else "user". */
  actor(): string {
    return this.get().reviewerName.trim() || 'user';
  }

  set(patch: Partial<Settings>, actor = 'user'): Settings {
    const current = this.get();
    const next = Settings.parse({ ...current, ...patch });
    // Only what differs is written and audited: a dialog saves every field, most unchanged.
    const changed = Object.fromEntries(
      Object.entries(patch).filter(([k]) => k in next && JSON.stringify(next[k as keyof Settings]) !== JSON.stringify(current[k as keyof Settings])),
    );
    if (Object.keys(changed).length > 0) this.store.saveSettings(changed, actor);
    return next;
  }
}
