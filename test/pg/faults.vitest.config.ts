// Issue #17 point 5 on its own: the fault tests restart and stop a server, so each file starts its
// OWN (never the suite's shared one, which other files use) and they run one at a time.
// npx vitest run --config test/pg/faults.vitest.config.ts
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/pg/faults-*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
})
