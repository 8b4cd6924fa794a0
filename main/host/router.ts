import { calls, isCallName, type CallInput, type CallName, type CallOutput, type CallParsedInput } from '../core/contract/calls.js';
import { OpscopeError } from '../core/errors.js';

export interface CallContext {
  transport: 'electron' | 'web' | 'cli';
}

export type Handler<K extends CallName> = (input: CallParsedInput<K>, ctx: CallContext) => Promise<CallOutput<K>> | CallOutput<K>;

export type Handlers = { [K in CallName]: Handler<K> };

/** The calls under one prefix (`'cases'` -> `cases.list`, `cases.get`...): what a feature folder handles. */
export type CallsOf<P extends string> = Extract<CallName, `${P}.${string}`>;
export type HandlersOf<P extends string> = { [K in CallsOf<P>]: Handler<K> };

/** A call made inside the host (the CLI, the eval runner): typed by the contract, checked like any other. */
export type HostCall = <K extends CallName>(name: K, input: CallInput<K>, ctx?: CallContext) => Promise<CallOutput<K>>;

/**
 * Validates a call against the contract and runs its handler. Both transports go through here,
 * so no call reaches a handler with a payload its schema did not accept.
 */
export async function dispatch<K extends CallName>(handlers: Handlers, name: K, input: CallInput<K>, ctx: CallContext): Promise<CallOutput<K>>;
export async function dispatch(handlers: Handlers, name: unknown, input: unknown, ctx: CallContext): Promise<unknown>;
export async function dispatch(handlers: Handlers, name: unknown, input: unknown, ctx: CallContext): Promise<unknown> {
  if (!isCallName(name)) throw new OpscopeError('invalid-input', `Unknown call ${JSON.stringify(String(name)).slice(0, 80)}.`);
  const spec = calls[name];
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpscopeError('invalid-input', `Invalid input for ${name}: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'rejected'}.`);
  }
  const handler = handlers[name] as (i: unknown, c: CallContext) => Promise<unknown> | unknown;
  const output = await handler(parsed.data, ctx);
  // Outputs are checked too: what leaves the host is exactly what the contract promises, and
  // fields internal to the host (file paths of derived files) are stripped.
  const checked = spec.output.safeParse(output);
  if (!checked.success) {
    throw new OpscopeError('internal', `The host produced an invalid ${name} result: ${checked.error.issues[0]?.message ?? ''}`);
  }
  return checked.data;
}
