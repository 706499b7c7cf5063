import { defineSyncSuite } from './sync-suite.ts';

defineSyncSuite('PGlite', () => ({ kind: 'pglite' }));
