import type { IncomingHttpHeaders } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from '../env.ts';

/** The client's address of a request: the socket's, or what trusted proxies say it is. */
export type AddressResolver = (socketAddress: string | undefined, headers: IncomingHttpHeaders) => string;

/**
 * Resolves client addresses as Express does (proxy-addr): walking
 * `X-Forwarded-For` (or, when absent, RFC 7239 `Forwarded`'s `for=`) from the
 * nearest hop outwards while the hop is trusted. With no trusted proxy the
 * headers are ignored: a client cannot choose its own address.
 */
export function addressResolver(trust: TrustProxy): AddressResolver {
  if (trust === false) return (socketAddress) => normalise(socketAddress ?? 'unknown');
  const trusts = typeof trust === 'number' ? (_addr: string, i: number) => i < trust : proxyaddr.compile(trust);
  return (socketAddress, headers) => {
    const xff = headers['x-forwarded-for'];
    const forwarded = xff === undefined ? forwardedFor(headers.forwarded) : null;
    const req = {
      headers: forwarded === null ? headers : { ...headers, 'x-forwarded-for': forwarded },
      connection: { remoteAddress: socketAddress ?? 'unknown' },
      socket: { remoteAddress: socketAddress ?? 'unknown' },
    };
    return normalise(proxyaddr(req as unknown as Parameters<typeof proxyaddr>[0], trusts));
  };
}

/** Whether the request came over https: the socket itself, or `X-Forwarded-Proto`/`Forwarded proto=` from a trusted proxy. */
export function forwardedHttps(trust: TrustProxy, socketAddress: string | undefined, headers: IncomingHttpHeaders, encrypted: boolean): boolean {
  if (encrypted) return true;
  if (trust === false) return false;
  // Only the nearest proxy's word counts: it must be trusted.
  const trusts = typeof trust === 'number' ? trust > 0 : proxyaddr.compile(trust)(socketAddress ?? '', 0);
  if (!trusts) return false;
  const proto = headerValue(headers['x-forwarded-proto']) ?? /(?:^|[;,\s])proto=("?)(\w+)\1/i.exec(headerValue(headers.forwarded) ?? '')?.[2];
  return proto?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** `Forwarded: for=a, for="[b]:port"` as an `X-Forwarded-For` list (`a, b`); null when there is none. */
export function forwardedFor(header: string | string[] | undefined): string | null {
  const value = headerValue(header);
  if (!value) return null;
  const out: string[] = [];
  for (const element of value.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      let v = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
      if (v6) v = v6[1]!;
      else if (/^[\d.]+:\d+$/.test(v)) v = v.slice(0, v.indexOf(':'));
      out.push(v);
    }
  }
  return out.length > 0 ? out.join(', ') : null;
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h.join(', ') : h;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one address. */
function normalise(addr: string): string {
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}
