// Records stream across chunk boundaries: multi-byte characters, quoted newlines and JSON items
// split between reads come out whole, and numbering stays exact.
import iconv from 'iconv-lite'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { jsonArrayRows } from '../../../main/data/read-json'
import { collect } from './helpers'

const dir = mkdtempSync(join(tmpdir(), 'cts-import-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ROWS = 4000
const textOf = (i: number) =>
  i % 2 ? `患者${i}：头痛三天，伴发热\n夜间加重` : `Patient ${i}: chest pain, "sharp"`

function bigCsv(): string {
  const lines = ['id,text,label']
  for (let i = 1; i <= ROWS; i++)
    lines.push(`${i},"${textOf(i).replace(/"/g, '""')}",${i % 2 ? '疾病' : '健康'}`)
  return lines.join('\r\n') + '\r\n'
}

describe('streaming import', () => {
  it.each(['gb18030', 'utf-16le', 'utf-8'])(
    'reads every row of a file larger than one chunk (%s)',
    async (encoding) => {
      const path = join(dir, `big-${encoding}.csv`)
      writeFileSync(path, iconv.encode(bigCsv(), encoding, { addBOM: encoding === 'utf-16le' }))
      const records = await collect({ path }, { text: 'text', label: 'label', id: 'id' })
      expect(records).toHaveLength(ROWS)
      for (const i of [1, 2, 1717, ROWS]) {
        expect(records[i - 1]).toEqual({
          row: i + 1,
          text: textOf(i),
          label: i % 2 ? '疾病' : '健康',
          externalId: String(i),
        })
      }
    },
  )

  it('cuts JSON array items correctly whatever the chunk boundaries', async () => {
    const source = JSON.stringify([{ text: 'a, "b" [c]', label: 'x' }, '头痛\\n', { text: '{}' }])
    async function* oneCharAtATime() {
      for (const ch of source) yield ch
    }
    const rows = []
    for await (const row of jsonArrayRows(oneCharAtATime())) rows.push(row)
    expect(rows).toEqual([
      { row: 1, values: { text: 'a, "b" [c]', label: 'x' } },
      { row: 2, values: { text: '头痛\\n' } },
      { row: 3, values: { text: '{}' } },
    ])
  })
})
