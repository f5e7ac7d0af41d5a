/** The query parameters that carry secrets; never shown in an error, a log line or a span. */
const SECRET_PARAMS = ['access_token', 'input_token', 'fb_exchange_token', 'client_secret', 'appsecret_proof'];

/** Replaces every secret query parameter of a URL by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const name of SECRET_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, '***');
    return parsed.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return '[unparsable URL]';
  }
}
