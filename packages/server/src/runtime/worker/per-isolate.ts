/**
 * A value made once per isolate and kept, without sharing the promise that makes it: until one
 * is kept, each caller makes its own and the first to finish stays. workerd ties a promise's I/O,
 * and whatever runs after awaiting it, to the request that started it, so a promise one request
 * started must not be awaited by another. A failed attempt keeps nothing: the next call retries.
 */
export function perIsolate<A, T>(make: (arg: A) => Promise<T>): (arg: A) => Promise<T> {
  let kept: T | undefined;
  return async (arg) => {
    if (kept !== undefined) return kept;
    const made = await make(arg);
    kept ??= made;
    return kept;
  };
}
