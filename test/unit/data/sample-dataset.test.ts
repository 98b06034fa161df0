// The bundled demo dataset imports cleanly and has the shape the demo and e2e tests rely on.
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { sourceReader } from '../../../main/data/open-source'
import { collect } from './helpers'

const input = {
  path: fileURLToPath(new URL('../../../resources/samples/symptoms-zh-en.csv', import.meta.url)),
}

describe('resources/samples/symptoms-zh-en.csv', () => {
  it('imports 160 balanced, bilingual texts grouped by patient, with no rejected rows', async () => {
    const preview = await sourceReader.preview(input, {})
    expect(preview.suggestedMapping).toEqual({
      text: 'text',
      label: 'label',
      id: 'id',
      group: 'patient_id',
    })
    expect(preview.labelsFound).toEqual(['健康', '疾病'])
    const records = await collect(input, preview.suggestedMapping)
    const ok = records.flatMap((r) => ('text' in r ? [r] : []))
    expect(ok).toHaveLength(160)
    expect(ok.filter((r) => r.label === '健康')).toHaveLength(80)
    expect(ok.filter((r) => /[\u4e00-\u9fff]/.test(r.text))).toHaveLength(80)
    expect(new Set(ok.map((r) => r.text)).size).toBe(160)
    const perPatient = new Map<string, number>()
    for (const r of ok) perPatient.set(r.group ?? '', (perPatient.get(r.group ?? '') ?? 0) + 1)
    expect([...perPatient.values()].every((n) => n === 2 || n === 3)).toBe(true)
    expect(perPatient.size).toBe(64)
  })
})
