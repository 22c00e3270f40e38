import { defineConfig } from 'vite';

// Nothing kms-sandbox needs but what Vite does by default; a dev server would add
// optimizeDeps: { exclude: ['kms-sandbox'] } so that the wasm URL stays next to its module.
export default defineConfig({
  logLevel: 'warn',
  build: { chunkSizeWarningLimit: 4096 },
});
