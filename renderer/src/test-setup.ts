import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Whole-till screen tests run RxDB, i18n and React together; on a loaded CI machine (two cores shared
// with the PostgreSQL and Chromium suites) a screen can take seconds to settle. The waits stay
// condition-based; only the ceiling is generous.
configure({ asyncUtilTimeout: 10_000 });

// Each test renders into a fresh document body.
afterEach(() => {
  cleanup();
});
