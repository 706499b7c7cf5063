import { defineAccountHoldsSuite } from './account-holds-suite.ts';

defineAccountHoldsSuite('PGlite', () => ({ kind: 'pglite' }));
