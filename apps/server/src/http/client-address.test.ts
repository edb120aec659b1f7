import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../env.ts';
import { addressResolver, forwardedFor, forwardedHttps } from './client-address.ts';

describe('client addresses behind proxies', () => {
  const h = (xff?: string, fwd?: string) => ({ ...(xff ? { 'x-forwarded-for': xff } : {}), ...(fwd ? { forwarded: fwd } : {}) });

  it('ignores forwarding headers unless a proxy is trusted', () => {
    const r = addressResolver(parseTrustProxy(''));
    expect(r('::ffff:10.0.0.9', h('1.2.3.4'))).toBe('10.0.0.9');
  });

  it('believes as many hops as configured, never more', () => {
    const one = addressResolver(parseTrustProxy('1'));
    // The client claims 6.6.6.6; the proxy appended the address it saw.
    expect(one('127.0.0.1', h('6.6.6.6, 203.0.113.7'))).toBe('203.0.113.7');
    expect(one('127.0.0.1', {})).toBe('127.0.0.1');
    expect(addressResolver(2)('127.0.0.1', h('6.6.6.6, 203.0.113.7'))).toBe('6.6.6.6');
  });

  it('believes proxies by address or subnet, stopping at the first untrusted hop', () => {
    const r = addressResolver(parseTrustProxy('loopback, 10.0.0.0/8'));
    expect(r('127.0.0.1', h('6.6.6.6, 203.0.113.7, 10.1.2.3'))).toBe('203.0.113.7');
    // A request straight from an untrusted address: its headers are not believed.
    expect(r('198.51.100.1', h('10.9.9.9'))).toBe('198.51.100.1');
  });

  it('reads RFC 7239 Forwarded when X-Forwarded-For is absent', () => {
    expect(forwardedFor('for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https, for=198.51.100.17:80;by=x')).toBe('192.0.2.43, 2001:db8:cafe::17, 198.51.100.17');
    const r = addressResolver(parseTrustProxy('1'));
    expect(r('127.0.0.1', h(undefined, 'for="[2001:db8::1]:443";proto=https'))).toBe('2001:db8::1');
  });

  it('takes https from a trusted proxy only', () => {
    expect(forwardedHttps(false, '127.0.0.1', { 'x-forwarded-proto': 'https' }, false)).toBe(false);
    expect(forwardedHttps(['loopback'], '127.0.0.1', { 'x-forwarded-proto': 'https' }, false)).toBe(true);
    expect(forwardedHttps(['loopback'], '8.8.8.8', { 'x-forwarded-proto': 'https' }, false)).toBe(false);
    expect(forwardedHttps(1, '127.0.0.1', { forwarded: 'for=1.2.3.4;proto=https' }, false)).toBe(true);
  });

  it('refuses a trust setting that would believe anyone', () => {
    expect(() => parseTrustProxy('true')).toThrow(/number of proxies/);
    expect(parseTrustProxy('0')).toBe(false);
  });
});
