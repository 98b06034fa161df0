// Issue #17 point 4 on its own: 10 client processes × 1,000 labels on one PostgreSQL project
// (test/pg/concurrency-10x1000.test.ts), after the rest of the PostgreSQL run, alone on the CPU.
// npx vitest run --config test/pg/concurrency.vitest.config.ts
import { defineConfig } from 'vitest/config'
import base from './vitest.config'

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/pg/concurrency-10x1000.test.ts'],
    exclude: [],
    maxWorkers: 1,
  },
})
