// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * Import boundary zones of architecture.md, enforced per folder. `allowTypeImports` lets the pure
 * core name a library's types (e.g. RxDB's schema types) without pulling its runtime in.
 */
const nodeBuiltins = { group: ['node:*'], message: 'This folder runs without Node built-ins.' };
const electron = {
  name: 'electron',
  message: 'Only main/ (and the hardware worker entry) may import electron.',
};

const zone = (
  /** @type {string[]} */ files,
  /** @type {{ paths?: unknown[]; patterns?: unknown[] }} */ rules,
) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', rules] },
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', '.tsbuild/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.es2023 },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  zone(['app/**/*.ts'], {
    paths: [
      electron,
      { name: 'react', message: 'app/ is the pure core: no UI.' },
      { name: 'rxdb', message: 'app/ may name RxDB types only (import type).', allowTypeImports: true },
    ],
    patterns: [
      nodeBuiltins,
      { group: ['@pos/*'], message: 'app/ imports no other workspace.' },
      { group: ['rxdb/*', 'dexie', 'react-*'], message: 'app/ is the pure core.', allowTypeImports: true },
    ],
  }),
  zone(['renderer/**/*.ts', 'renderer/**/*.tsx'], {
    paths: [electron],
    patterns: [
      nodeBuiltins,
      {
        group: [
          '@pos/main',
          '@pos/main/*',
          '@pos/hardware',
          '@pos/hardware/*',
          '@pos/sync-server',
          '@pos/sync-server/*',
        ],
        message: 'The renderer talks to main only through window.pos (platform/desktop.ts).',
      },
    ],
  }),
  {
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
    languageOptions: { globals: { ...globals.browser } },
  },
  zone(['hardware/**/*.ts'], { paths: [electron] }),
  {
    // The utilityProcess entry is the one hardware file that may talk to Electron.
    files: ['hardware/src/worker/electron-entry.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  zone(['sync-server/**/*.ts'], {
    paths: [electron],
    patterns: [
      {
        group: [
          '@pos/main',
          '@pos/main/*',
          '@pos/renderer',
          '@pos/renderer/*',
          '@pos/hardware',
          '@pos/hardware/*',
        ],
        message: 'The sync server imports only @pos/app.',
      },
    ],
  }),
  {
    files: ['**/*.test.ts', '**/*.test.tsx', '**/bench/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Tests assert on values they built themselves; non-null assertions keep them readable.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
