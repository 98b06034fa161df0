// XLSX streaming benchmark: writes a bilingual workbook with the streaming exporter, streams it back
// through sourceReader.records(), prints rows/s and peak RSS. Run: npx tsx test/bench/import-xlsx.ts [rows]
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportRows, type ExportRow } from '../../main/data/exporters'
import { sourceReader } from '../../main/data/open-source'

const ROWS = Number(process.argv[2] ?? 50_000)
const PHRASES = [
  '头痛三天，伴发热',
  'Chest pain radiating to the left arm',
  '例行体检，无不适',
  'Routine check-up, no complaints',
]

function* rows(): Generator<ExportRow> {
  for (let i = 1; i <= ROWS; i++) {
    const text =
      Array.from({ length: 12 }, (_, k) => PHRASES[(i + k) % PHRASES.length]).join('; ') + ` #${i}`
    yield {
      id: i,
      text,
      labels: [i % 2 ? '疾病' : '健康'],
      externalId: `R${i}`,
      group: `P${i % 500}`,
      split: null,
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cts-bench-'))
try {
  const path = join(dir, 'bench.xlsx')
  let start = performance.now()
  await exportRows('xlsx', rows(), path)
  const writeSeconds = (performance.now() - start) / 1000
  const size = statSync(path).size
  const rssAfterWrite = process.resourceUsage().maxRSS / 1024
  start = performance.now()
  let count = 0
  for await (const record of sourceReader.records(
    { path },
    {},
    { text: 'text', label: 'labels', group: 'group' },
  )) {
    if ('error' in record) throw new Error(`row ${record.row} rejected`)
    count++
  }
  const seconds = (performance.now() - start) / 1000
  console.log(
    `file: ${(size / 1e6).toFixed(1)} MB xlsx, ${ROWS} rows, written in ${writeSeconds.toFixed(2)} s`,
  )
  console.log(`records: ${count} in ${seconds.toFixed(2)} s, ${Math.round(count / seconds)} rows/s`)
  const peak = process.resourceUsage().maxRSS / 1024
  console.log(`peak RSS: ${peak.toFixed(0)} MiB (after writing: ${rssAfterWrite.toFixed(0)} MiB)`)
  if (count !== ROWS) throw new Error(`expected ${ROWS} records, got ${count}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
