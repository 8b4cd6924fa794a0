import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../../../main/core/secrets.js';
import { Store } from '../../../../../main/host/store/store.js';

describe('the audit log of settings changes', () => {
  it('records that a secret changed, never the secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opscope-audit-'));
    try {
      const file = join(dir, 'opscope.db');
      const store = new Store(file);
      const agent = { backend: 'openai', budget: {}, openai: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm', apiKey: 'sk-very-secret', allowRemote: false, timeoutMs: 1000, maxRetries: 1 } };
      store.saveSettings({ agent } as never, 'test');
      store.close();
      const db = new Database(file, { readonly: true });
      const rows = db.prepare("SELECT detail_json FROM audit_log WHERE action = 'settings.change'").all() as { detail_json: string }[];
      const stored = db.prepare("SELECT value_json FROM settings WHERE key = 'agent'").get() as { value_json: string };
      db.close();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.detail_json).not.toContain('sk-very-secret');
      expect(JSON.parse(rows[0]!.detail_json)).toMatchObject({ agent: { openai: { apiKey: '(set, not recorded)', model: 'm' } } });
      // The setting itself is kept: the backend needs it.
      expect(JSON.parse(stored.value_json).openai.apiKey).toBe('sk-very-secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves empty secrets and other values alone', () => {
    expect(redactSecrets({ apiKey: '', token: 'x', nested: [{ password: 'p', n: 1 }], theme: 'dark' })).toEqual({
      apiKey: '',
      token: '(set, not recorded)',
      nested: [{ password: '(set, not recorded)', n: 1 }],
      theme: 'dark',
    });
  });
});
