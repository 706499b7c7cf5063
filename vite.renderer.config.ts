import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

/**
 * The renderer build: two pages (the till and the customer-facing display), static files only, so
 * the same output is served by Electron's `app://pos` protocol and by the web host. Relative asset
 * paths keep it independent of where it is mounted. No inline scripts or styles: the CSP forbids them.
 */
export const rendererConfig: UserConfig = {
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // Inlined assets would become data: URLs for scripts, which the CSP refuses.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        till: fileURLToPath(new URL('./renderer/index.html', import.meta.url)),
        display: fileURLToPath(new URL('./renderer/customer-display.html', import.meta.url)),
      },
    },
  },
};

export default defineConfig(rendererConfig);
