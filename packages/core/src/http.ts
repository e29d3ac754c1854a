/** Shared plumbing of the outbound `fetch` clients: timeouts and JSON reading. */

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export type FetchFailure = { kind: "timeout" | "network"; message: string };

/** `fetch` with an `AbortSignal.timeout`; network failures and timeouts come back as values. */
export async function fetchWithTimeout(
  fetchFn: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response | FetchFailure> {
  try {
    return await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError")
      return { kind: "timeout", message: `no answer in ${timeoutMs} ms` };
    return { kind: "network", message: error instanceof Error ? error.message.slice(0, 200) : "fetch failed" };
  }
}

export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text.slice(0, 300) };
  }
}
