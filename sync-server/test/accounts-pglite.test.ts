import { defineAccountsSuite } from './accounts-suite.ts';

defineAccountsSuite('PGlite', () => ({ kind: 'pglite' }));
