/**
 * Calls `fn` on every item with at most `limit` calls in flight, and resolves when all are done
 * (rejecting with the first error). For I/O-bound loops: uploads, batch writes.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
