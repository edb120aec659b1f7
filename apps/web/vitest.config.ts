import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Unit tests of pure view logic, and of rune state classes in `*.svelte.test.ts`
// (compiled by the Svelte plugin, like the app; such a file starts with
// `// @vitest-environment happy-dom` so that Svelte's client runtime, with real
// reactivity, is used). The root vitest config includes 'apps/web/src/**/*.test.ts'
// too, with the same plugin.
export default defineConfig({
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
