/**
 * Error codes that cross process and transport boundaries. A message is written for the
 * clinician reading it; the code is for the code that reacts to it.
 */
export const ERROR_CODES = [
  'invalid-input',
  'not-found',
  'unavailable',
  'canceled',
  'timeout',
  'tool-failed',
  'unsupported-media',
  'worker-crashed',
  'conflict',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class OpscopeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'OpscopeError';
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  detail?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof OpscopeError) {
    return err.detail === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, detail: err.detail };
  }
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

export function deserializeError(e: SerializedError): OpscopeError {
  return new OpscopeError(e.code, e.message, e.detail);
}

export function isCanceled(err: unknown): boolean {
  return err instanceof OpscopeError && err.code === 'canceled';
}
