// Import streaming benchmark: writes a ~100 MB bilingual CSV (200,000 rows) to a temp folder, streams
// it through sourceReader.records(), prints rows/s and peak RSS. Run: npx tsx test/bench/import-stream.ts [rows]
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sourceReader } from '../../main/data/open-source'

const ROWS = Number(process.argv[2] ?? 200_000)
/** Aim for ~500 bytes a row so 200,000 rows make ~100 MB. */
const TARGET_ROW_BYTES = 500

const ZH = [
  '头痛三天，伴发热',
  '咳嗽两周，夜间加重',
  '胸闷气短，活动后加剧',
  '例行体检，无不适',
  '血压正常，睡眠良好',
  '腹痛伴恶心呕吐',
]
const EN = [
  'Chest pain radiating to the left arm',
  'Routine check-up, no complaints',
  'Persistent cough with "yellow" sputum',
  'Blood pressure within normal limits',
  'Shortness of breath on exertion',
]

function rowText(i: number): string {
  const parts: string[] = []
  let bytes = 0
  for (let k = 0; bytes < TARGET_ROW_BYTES - 40; k++) {
    const phrase = (i + k) % 3 === 0 ? ZH[(i + k) % ZH.length] : EN[(i * 7 + k) % EN.length]
    parts.push(phrase)
    bytes += Buffer.byteLength(phrase) + 2
  }
  return parts.join('; ')
}

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path)
  if (!out.write('id,text,label,patient_id\n')) await once(out, 'drain')
  for (let i = 1; i <= ROWS; i++) {
    const text = rowText(i).replace(/"/g, '""')
    const line = `${i},"${i % 10 === 0 ? text.replace('; ', ';\n') : text}",${i % 2 ? '疾病' : '健康'},P${i % 5000}\n`
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

const dir = mkdtempSync(join(tmpdir(), 'cts-bench-'))
try {
  const path = join(dir, 'bench.csv')
  await writeCsv(path)
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
