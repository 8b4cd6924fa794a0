/**
 * Runs `fn` over `items` with at most `width` running at once. The first failure stops lanes from
 * taking new items and is thrown once the running ones settle (none is left behind running).
 */
export async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  let failure: unknown = null;
  let failed = false;
  const lane = async () => {
    for (let it = queue.shift(); it !== undefined && !failed; it = queue.shift()) {
      try {
        await fn(it);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, width), items.length) }, lane));
  if (failed) throw failure;
}
