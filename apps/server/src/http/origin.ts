/**
 * A browser origin is allowed when it is the server's own (same host as the
 * request's Host header) or listed in CONCORD_ORIGINS.
 */
export function isAllowedOrigin(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return !!host && url.host === host;
}
