import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { serviceWorker } from './sw/vite-plugin.ts';

// The API and the sync WebSocket live on the Concord server; in development
// `vite` proxies them there (CONCORD_SERVER, default http://localhost:3000).
const server = process.env.CONCORD_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  // the service worker (offline reloads) is built with production builds only
  plugins: [svelte(), serviceWorker({ src: 'sw/sw.ts' })],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/sync': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
});
