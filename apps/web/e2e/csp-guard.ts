import { afterEach, expect } from 'vitest';
import { cspViolations } from './harness.ts';

// The whole browser suite runs under the server's Content-Security-Policy: any
// script, style, socket or image it blocks fails the test that caused it.
afterEach(() => {
  const seen = cspViolations.splice(0);
  expect(seen, 'Content-Security-Policy violations').toEqual([]);
});
