/**
 * Expected outcomes as values. A use case returns `Result<T, E>` where `E` is a tagged union of its
 * expected failures; callers map every `kind` in an exhaustive switch (see `assertNever`).
 */

export type Ok<T> = { ok: true; value: T };
export type Err<E> = { ok: false; error: E };
export type Result<T, E> = Ok<T> | Err<E>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <E>(error: E): Err<E> => ({ ok: false, error });

/** Makes a `switch` over a tagged union exhaustive: an unmapped kind does not compile. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
