/** Electron's main entry (the bundle's `main`). Paths are relative to the bundled output. */
import { fileURLToPath } from 'node:url';
import { startElectronMain } from './main.ts';

await startElectronMain({
  rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
  preload: fileURLToPath(new URL('../preload/preload.cjs', import.meta.url)),
  hardwareWorker: fileURLToPath(new URL('./hardware-worker.js', import.meta.url)),
});
