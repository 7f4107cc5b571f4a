import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/summary-reporter.js';

// The e2e tier: a real control plane (test/e2e/control-plane.ts) driven with kubectl. `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 1_800_000,
    reporters: ['default', new SummaryReporter()],
  },
});
