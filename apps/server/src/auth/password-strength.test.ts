import { describe, expect, it } from 'vitest';
import { checkPasswordStrength } from './password-strength.ts';

describe('password strength (zxcvbn-ts)', () => {
  it('refuses common and personal passwords and accepts a few unrelated words', async () => {
    const weak = await checkPasswordStrength('password', 3);
    expect(weak.ok).toBe(false);
    expect(!weak.ok && weak.message).toMatch(/too easy to guess/);
    expect((await checkPasswordStrength('Passw0rd!', 3)).ok).toBe(false);
    expect((await checkPasswordStrength('ada lovelace 1815', 3, ['ada@uni.edu', 'Ada Lovelace'])).ok).toBe(false);
    expect((await checkPasswordStrength('correct horse battery', 3)).ok).toBe(true);
    expect((await checkPasswordStrength('password', 0)).ok).toBe(true);
  });
});
