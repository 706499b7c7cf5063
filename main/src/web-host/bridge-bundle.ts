import { fileURLToPath } from 'node:url';

/** Source of the browser shim; esbuild bundles it (with the contract it imports) into one IIFE. */
export const BROWSER_BRIDGE_ENTRY = fileURLToPath(new URL('./browser-bridge.ts', import.meta.url));

/**
 * Compiles /pos-bridge.js at host start. esbuild is loaded lazily: it is a build tool, needed only
 * when the host runs from source (a packaged host would ship the prebuilt file instead).
 */
export async function buildBrowserBridge(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [BROWSER_BRIDGE_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    legalComments: 'none',
    minify: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output for the browser bridge');
  return output.text;
}
