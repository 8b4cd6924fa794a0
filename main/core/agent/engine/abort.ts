/*
 * Racing work against cancellation. Backends and tools are asked to honour the signal, but a run
 * must end promptly even when one does not (a hung HTTP stream, a slow decoder), so the engine
 * stops waiting instead of waiting for them to notice.
 */

export class RunCanceled extends Error {
  constructor() {
    super('the run was canceled');
    this.name = 'RunCanceled';
  }
}

/** Settles like `work`, or rejects with RunCanceled as soon as `signal` aborts. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The abandoned work may still reject later; that must not surface as unhandled.
    work.catch(() => undefined);
    return Promise.reject(new RunCanceled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RunCanceled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Calls `fn` so that a synchronous throw becomes a rejection like an asynchronous one. */
export function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
