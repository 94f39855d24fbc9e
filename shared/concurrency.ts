/**
 * Calls `fn` on every item with at most `limit` calls in flight, and resolves when all are done.
 * After a call fails no further call starts; it rejects with the first error once the calls in
 * flight have settled, so nothing is still running when the caller sees the failure. For
 * I/O-bound loops: uploads, batch writes.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}

/** `list` in consecutive slices of at most `size` items (a request's limit: 25 writes, 98 actions). */
export function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** A random wait before the `attempt`th retry: up to 20 ms doubled per attempt, at most 1 s. */
export function backoffMs(attempt: number): number {
  return Math.random() * Math.min(1000, 20 * 2 ** attempt);
}
