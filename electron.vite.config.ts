/**
 * The Electron build (`electron-vite build`): main (ESM), the sandboxed preload (CommonJS, one file,
 * as a sandboxed preload must be), and the renderer, whose configuration the web host's build shares
 * (vite.renderer.config.ts). Output goes to out/{main,preload,renderer}, where main/src/electron/entry.ts
 * looks for its siblings.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: here('./out/main'),
      // Workspace packages are TypeScript source: bundle them; keep real npm dependencies external.
      externalizeDeps: { exclude: ['@pos/app', '@pos/main', '@pos/hardware'] },
      rolldownOptions: {
        input: {
          entry: here('./main/src/electron/entry.ts'),
          'hardware-worker': here('./hardware/src/worker/electron-entry.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: here('./out/preload'),
      externalizeDeps: { exclude: ['@pos/app', '@pos/main'] },
      rolldownOptions: {
        input: { preload: here('./main/src/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: rendererConfig,
});
