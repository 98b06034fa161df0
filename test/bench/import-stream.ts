// Import streaming benchmark: writes a ~100 MB bilingual CSV (200,000 rows) to a temp folder, streams
// it through sourceReader.records(), prints rows/s and peak RSS. Run: npx tsx test/bench/import-stream.ts [rows]
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sourceReader } from '../../main/data/open-source'
import { writeBilingualCsv } from './bilingual-csv'

const ROWS = Number(process.argv[2] ?? 200_000)

const dir = mkdtempSync(join(tmpdir(), 'cts-bench-'))
try {
  const path = join(dir, 'bench.csv')
  await writeBilingualCsv(path, ROWS)
  const size = statSync(path).size
  const rssAfterWrite = process.resourceUsage().maxRSS
  const start = performance.now()
  let count = 0
  let rejected = 0
  let chars = 0
  for await (const record of sourceReader.records(
    { path },
    {},
    { text: 'text', label: 'label', group: 'patient_id' },
  )) {
    if ('error' in record) rejected++
    else chars += record.text.length
    count++
  }
  const seconds = (performance.now() - start) / 1000
  const peakMiB = process.resourceUsage().maxRSS / 1024
  console.log(`file: ${(size / 1e6).toFixed(1)} MB, ${ROWS} rows (${chars} text chars)`)
  console.log(`records: ${count} (${rejected} rejected) in ${seconds.toFixed(2)} s`)
  console.log(
    `throughput: ${Math.round(count / seconds)} rows/s, ${(size / 1e6 / seconds).toFixed(1)} MB/s`,
  )
  console.log(
    `peak RSS: ${peakMiB.toFixed(0)} MiB (after writing the file: ${(rssAfterWrite / 1024).toFixed(0)} MiB)`,
  )
  if (count !== ROWS) throw new Error(`expected ${ROWS} records, got ${count}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
