let baseUrl = '';

/** Points the orval client at a server. */
export function setOrvalBaseUrl(url: string): void {
  baseUrl = url;
}

/**
 * The fetch orval's generated functions call (`override.mutator`): the server's base URL in front of the path, and the
 * answer as `{ data, status, headers }`, which is the shape orval's fetch client types every response as.
 */
export async function orvalFetch<T>(url: string, init: RequestInit): Promise<T> {
  const res = await fetch(`${baseUrl}${url}`, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  return { data, status: res.status, headers: res.headers } as T;
}
