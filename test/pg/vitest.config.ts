// The PostgreSQL run: the PostgreSQL-only tests under test/pg/, and the EXISTING store/service
// tests listed below run a second time with CTS_TEST_BACKEND=postgres (tempServices then opens a
// team workspace on a fresh database). Files that poke SQLite directly stay SQLite-only.
import { defineConfig } from 'vitest/config'

/** Existing behaviour tests that run against both backends (the parameterised suite). */
export const BOTH_BACKENDS = [
  'test/unit/services/projects-service.test.ts',
  'test/unit/services/import.test.ts',
  'test/unit/services/labels-service.test.ts',
  'test/unit/services/annotators-service.test.ts',
  'test/unit/services/texts-list.test.ts',
  'test/unit/services/queue-service.test.ts',
  'test/unit/services/loop-service.test.ts',
  'test/unit/services/review-service.test.ts',
  'test/unit/services/agreement-service.test.ts',
  'test/unit/services/annotators-texts.test.ts',
  'test/unit/services/deid-service.test.ts',
  'test/unit/services/exports-service.test.ts',
  'test/unit/services/preview-labels.test.ts',
  'test/unit/services/real-files.test.ts',
  'test/unit/services/packages-service.test.ts',
]

export default defineConfig({
  test: {
    include: ['test/pg/**/*.test.ts', ...BOTH_BACKENDS],
    // Ten client processes at once: run alone (concurrency.vitest.config.ts), so the timing-bound
    // service tests above never share the two cores with it.
    // The fault tests restart and stop servers of their own: their own step (faults.vitest.config.ts).
    exclude: ['test/pg/concurrency-10x1000.test.ts', 'test/pg/faults-*.test.ts'],
    globalSetup: ['test/pg/global-setup.ts'],
    env: { CTS_TEST_BACKEND: 'postgres' },
    environment: 'node',
    pool: 'forks',
    // Two cores: two files at a time keeps the server and the workers from starving each other.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
