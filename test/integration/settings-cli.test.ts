import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.js';

describe('opscope settings', () => {
  const home = tempHome();
  const data = join(home, 'data');
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const settings = async () => {
    const r = await runCli(['settings', '--json'], { home: data });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { agent: { backend: string; openai: { baseUrl: string; model: string; apiKey?: string; timeoutMs: number } } };
  };

  it('sets values by their dotted path, reading numbers as numbers', async () => {
    const r = await runCli(
      ['settings', 'set', 'agent.openai.baseUrl=http://127.0.0.1:8000/v1', 'agent.openai.model=qwen2.5vl', 'agent.openai.timeoutMs=30000', 'agent.openai.apiKey=sk-test'],
      { home: data },
    );
    expect(r.code, r.stderr).toBe(0);
    // What it prints for people hides the key.
    expect(r.stdout).not.toContain('sk-test');
    const s = await settings();
    expect(s.agent.openai).toMatchObject({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'qwen2.5vl', timeoutMs: 30000, apiKey: 'sk-test' });
  });

  it('refuses an invalid value and changes nothing', async () => {
    const before = await settings();
    const r = await runCli(['settings', 'set', 'agent.openai.model=other', 'agent.openai.timeoutMs=-5'], { home: data });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/timeoutMs|invalid/i);
    expect(await settings()).toEqual(before);
  });

  it('refuses a key that is not a setting, with its usage', async () => {
    for (const bad of ['agent.nope=1', 'agent.openai.model', '__proto__.x=1']) {
      const r = await runCli(['settings', 'set', bad], { home: data });
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/not a setting|key=value/);
    }
  });
});
