import { defineConfig } from 'vitest/config';

// One project per workspace so each runs in the environment of the process it belongs to.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'app', root: './app', include: ['src/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'main',
          root: './main',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'hardware',
          root: './hardware',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'sync-server',
          root: './sync-server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'renderer',
          root: './renderer',
          include: ['src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        // Components and screens: a DOM (jsdom) and the React JSX transform.
        test: {
          name: 'renderer-ui',
          root: './renderer',
          include: ['src/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['./src/test-setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          root: './tests/integration',
          include: ['**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        // The till end to end: the demo store (sync server, simulators, worker, web host) and Chromium.
        test: {
          name: 'e2e',
          root: './tests/e2e',
          include: ['**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
      { test: { name: 'tooling', root: '.', include: ['bench/**/*.test.ts'], environment: 'node' } },
    ],
    passWithNoTests: true,
  },
});
