import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./renderer'),
  // Electron loads the build from file://, so every asset URL must be relative.
  base: './',
  plugins: [react()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    // Chromium (Electron and the test browser) supports modulepreload natively; the polyfill
    // would only add code the strict CSP has no use for.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'chrome120',
  },
  server: { strictPort: false },
});
