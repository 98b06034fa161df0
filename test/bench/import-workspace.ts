// Import benchmark through the real services (issue #2 point 5): writes a ~100 MB bilingual CSV
// (200,000 rows) to a temp folder and imports it with 'datasets/import' into a temp workspace,
// printing rows, file size, seconds, rows/s and peak RSS before and after.
// Run: npm run bench:import [-- rows]
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tempServicesIn } from '../unit/services/fixtures'
import { WORKSPACE_FILE } from '../../main/store/workspace'
import { writeBilingualCsv } from './bilingual-csv'

const ROWS = Number(process.argv[2] ?? 200_000)
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`

const dir = mkdtempSync(join(tmpdir(), 'cts-bench-import-'))
try {
  const path = join(dir, 'bench.csv')
  await writeBilingualCsv(path, ROWS)
  const size = statSync(path).size
  const app = tempServicesIn(join(dir, 'workspace'), { actor: 'bench' })
  try {
    const project = await app.handlers['projects/create']({ name: 'bench', kind: 'binary' })
    const rssBefore = process.resourceUsage().maxRSS
    const start = performance.now()
    const result = await app.handlers['datasets/import']({
      projectId: project.id,
      file: { path },
      mapping: { text: 'text', label: 'label', id: 'id', group: 'patient_id' },
    })
    const seconds = (performance.now() - start) / 1000
    const rssAfter = process.resourceUsage().maxRSS
    // WAL mode: committed rows may still sit in the -wal file.
    const db = join(dir, 'workspace', WORKSPACE_FILE)
    const dbBytes = [db, `${db}-wal`].reduce(
      (n, f) => n + (existsSync(f) ? statSync(f).size : 0),
      0,
    )
    console.log(`file: ${(size / 1e6).toFixed(1)} MB, ${ROWS} rows`)
    console.log(
      `imported: ${result.imported}, duplicates: ${result.duplicates}, rejected: ${result.rejected}`,
    )
    console.log(
      `time: ${seconds.toFixed(1)} s, ${Math.round(ROWS / seconds)} rows/s, ${(size / 1e6 / seconds).toFixed(1)} MB/s`,
    )
    console.log(`peak RSS: before import ${mib(rssBefore)}, after import ${mib(rssAfter)}`)
    console.log(`database (+ WAL): ${(dbBytes / 1e6).toFixed(1)} MB`)
    if (result.imported !== ROWS) throw new Error(`expected ${ROWS} rows imported`)
  } finally {
    app.close()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
