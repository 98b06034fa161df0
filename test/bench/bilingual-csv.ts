// The import benchmarks' input: a bilingual (Chinese/English) clinical CSV of ~500 bytes a row
// (200,000 rows ≈ 100 MB), with quoted fields, embedded newlines and a patient id column.
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

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
  // The case number makes every text distinct, so an import keeps every row (no duplicates).
  const parts = [`Case ${i} 病例${i}`]
  let bytes = Buffer.byteLength(parts[0]) + 2
  for (let k = 0; bytes < TARGET_ROW_BYTES - 40; k++) {
    const phrase = (i + k) % 3 === 0 ? ZH[(i + k) % ZH.length] : EN[(i * 7 + k) % EN.length]
    parts.push(phrase)
    bytes += Buffer.byteLength(phrase) + 2
  }
  return parts.join('; ')
}

/** Columns id,text,label,patient_id; every row's text is distinct; labels 健康/疾病 alternate. */
export async function writeBilingualCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path)
  if (!out.write('id,text,label,patient_id\n')) await once(out, 'drain')
  for (let i = 1; i <= rows; i++) {
    const text = rowText(i).replace(/"/g, '""')
    const line = `${i},"${i % 10 === 0 ? text.replace('; ', ';\n') : text}",${i % 2 ? '疾病' : '健康'},P${i % 5000}\n`
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}
