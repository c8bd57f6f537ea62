/**
 * Runs `fn` over `items`, at most `limit` at a time, and waits for every one of them; then throws
 * the first error, if any. A reconcile's Pod creates and deletes are independent writes with
 * deterministic names, so sending them together loses nothing when one fails: the next pass
 * finds what did land (a retried create is a 409, a retried delete a 404).
 */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
