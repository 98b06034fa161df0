// Unit, integration and parity tests run in Node (no Electron); e2e has its own config.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/parity/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
