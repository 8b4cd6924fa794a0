import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Settings as SettingsSchema, type Settings } from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { redactSecrets } from '../../core/secrets.js';
import { openHost } from '../context.js';
import { USAGE, UsageError } from '../usage.js';
import { isRecord } from '../../core/is-record.js';

/**
 * Reads and changes settings from a shell: `opscope settings` prints them, `opscope settings
 * set agent.openai.model=qwen2.5vl ...` changes values by their dotted path. The host validates
 * the result as a whole, so a bad value is refused and nothing is written.
 */
export async function settingsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const [verb, ...assignments] = positionals;
  if (verb !== undefined && verb !== 'set') throw new UsageError(`usage: ${USAGE.settings}`);
  if (verb === 'set' && assignments.length === 0) throw new UsageError(`usage: ${USAGE.settings}`);
  const host = openHost();
  try {
    let settings = await host.call('settings.get', {});
    if (verb === 'set') {
      const next: Record<string, unknown> = structuredClone(settings);
      for (const a of assignments) applyAssignment(next, a);
      settings = await host.call('settings.set', changedSettings(settings, next));
    }
    process.stdout.write(values.json ? `${JSON.stringify(settings)}\n` : `${JSON.stringify(redactSecrets(settings, '(set)'), null, 2)}\n`);
    return 0;
  } finally {
    await host.close();
  }
}

/** Whether a dotted path names a field of the settings schema (optional fields included). */
function isSetting(path: readonly string[]): boolean {
  let schema: unknown = SettingsSchema;
  for (const key of path) {
    const shape = objectShape(schema);
    if (!shape || !Object.hasOwn(shape, key)) return false;
    schema = shape[key];
  }
  return true;
}

function objectShape(schema: unknown): Record<string, unknown> | null {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodObject) return s.shape;
    // Optional, nullable, default and prefault wrappers all keep the wrapped schema as innerType.
    const inner: unknown = s instanceof z.ZodType && 'innerType' in s.def ? s.def.innerType : undefined;
    if (inner === undefined) return null;
    s = inner;
  }
}

/** The top-level settings that the assignments changed, checked against the schema as a whole. */
function changedSettings(current: Settings, next: Record<string, unknown>): Partial<Settings> {
  const parsed = SettingsSchema.safeParse(next);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpscopeError('invalid-input', `invalid setting ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'rejected'}; nothing was changed`);
  }
  const patch: Partial<Settings> = {};
  for (const key of SettingsSchema.keyof().options) {
    if (JSON.stringify(parsed.data[key]) !== JSON.stringify(current[key])) Object.assign(patch, { [key]: parsed.data[key] });
  }
  return patch;
}

/** `a.b.c=value`: the value is read as JSON when it is JSON (numbers, true, null), else as text. */
export function applyAssignment(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`"${assignment}" is not key=value (e.g. agent.openai.model=qwen2.5vl)`);
  const path = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Plain text, e.g. a URL or a model name.
  }
  let node: Record<string, unknown> = target;
  for (const [i, key] of path.entries()) {
    if (!key || key === '__proto__' || key === 'constructor' || key === 'prototype') throw new UsageError(`"${path.join('.')}" is not a setting`);
    if (i === path.length - 1) {
      if (!isSetting(path)) throw new UsageError(`"${path.join('.')}" is not a setting`);
      node[key] = value;
      return;
    }
    node[key] ??= {};
    const child = node[key];
    if (!isRecord(child)) throw new UsageError(`"${path.join('.')}" is not a setting`);
    node = child;
  }
}
