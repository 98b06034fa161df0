// R3's PostgreSQL run of existing service tests that open a workspace with openWorkspace(home)
// (tokens, runs compare/delete, training records, packages, the audit list): their import of main/store/workspace is pointed
// at r3-workspace-shim.ts, which opens a team workspace on a fresh database of the test server.
// test/unit/store/audit-chain.test.ts stays SQLite-only: its forged rows use better-sqlite3's
// @named parameters and rowid ids, and migration 9 links logs only an older SQLite file can hold
// (test/pg/repos/r3-audit.test.ts checks edits, insertions and deletions on both backends).
// npx vitest run --config test/pg/repos/r3-services.vitest.config.ts
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import base from '../vitest.config'

const shim = fileURLToPath(new URL('./r3-workspace-shim.ts', import.meta.url))

export default defineConfig({
  ...base,
  resolve: {
    alias: [{ find: /^\.\.\/\.\.\/\.\.\/main\/store\/workspace$/, replacement: shim }],
  },
  test: {
    ...base.test,
    include: [
      'test/unit/services/tokens-service.test.ts',
      'test/unit/services/runs-compare.test.ts',
      'test/unit/services/training-service.test.ts',
      'test/unit/services/packages-service.test.ts',
      'test/unit/audit/audit-list.test.ts',
    ],
  },
})
