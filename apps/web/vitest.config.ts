import { defineConfig } from 'vitest/config';

// Unit tests of pure view logic. The root vitest config should include
// 'apps/web/src/**/*.test.ts' too (see NEEDS.md).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
