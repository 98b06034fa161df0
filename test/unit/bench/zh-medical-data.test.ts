// The Chinese medical benchmark's data side (test/bench/zh-medical-data.ts): CMID's format, the
// label field choice, rows left out, the app's split, and the message when the data is missing.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  batchLabelMix,
  looksLikeCmid,
  readCmid,
  readLabelledFile,
  sampleRows,
  splitRows,
} from '../../bench/zh-medical-data'

const ROOT = join(__dirname, '../../..')
const SAMPLE = join(ROOT, 'test/fixtures/bench/cmid-sample.json')
const ZH_CSV = join(ROOT, 'test/fixtures/services/model-choice-zh.csv')
const work = mkdtempSync(join(tmpdir(), 'cts-zh-data-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const write = (name: string, body: string) => {
  const path = join(work, name)
  writeFileSync(path, body)
  return path
}

describe('CMID reader', () => {
  it('reads the JSON Lines stand-in with its 4 intents, quotes stripped', () => {
    const rows = readCmid(SAMPLE, '4')
    expect(rows.texts).toHaveLength(300)
    expect(rows.skipped).toEqual({})
    expect([...new Set(rows.labels)].sort()).toEqual(['其他', '治疗方案', '病症', '药物'].sort())
    expect(rows.labels.filter((l) => l === '药物')).toHaveLength(75)
    expect(rows.texts[0]).toBe('鼻炎复查时哪些指标算正常？')
    expect(rows.labels[0]).toBe('治疗方案')
  })

  it('takes the 36-class field when asked', () => {
    const rows = readCmid(SAMPLE, '36')
    expect(rows.labels[0]).toBe('正常指标')
    expect(rows.labels[1]).toBe('临床表现(病症表现)')
  })

  it('reads a JSON array too and leaves out rows without one clear label or text', () => {
    const file = write(
      'array.json',
      JSON.stringify([
        {
          originalText: ' 间质性肺炎的症状? ',
          label_4class: ['病症'],
          label_36class: ['临床表现'],
        },
        { originalText: '', label_4class: ["'病症'"] },
        { originalText: '阿莫西林能和布洛芬一起吃吗', label_4class: [] },
        { originalText: '感冒吃什么药', label_4class: ["'病症'", "'药物'"] },
        { originalText: '头孢一天吃几次', label_4class: ["'药物'", '药物'] },
      ]),
    )
    expect(looksLikeCmid(file)).toBe(true)
    expect(readCmid(file, '4')).toEqual({
      texts: ['间质性肺炎的症状?', '头孢一天吃几次'],
      labels: ['病症', '药物'],
      skipped: {
        'no text': 1,
        'no label_4class': 1,
        'several different label_4class values': 1,
      },
    })
  })

  it('names the fields it found when the label field is absent', () => {
    const file = write('no36.json', '{"originalText": "发烧怎么办", "label_4class": ["病症"]}\n')
    expect(() => readCmid(file, '36')).toThrow(
      'has no "label_36class" field (fields: originalText, label_4class); choose --labels 4.',
    )
  })

  it('tells a CSV from CMID', () => {
    expect(looksLikeCmid(SAMPLE)).toBe(true)
    expect(looksLikeCmid(ZH_CSV)).toBe(false)
  })
})

describe('other files through the importers', () => {
  it('reads text and label columns as cts train --train FILE does', async () => {
    const rows = await readLabelledFile(ZH_CSV, { textCol: 'text', labelCol: 'label' })
    expect(rows.texts[0]).toBe('患者咳嗽三天，伴发热 38.5℃。')
    expect(rows.labels[0]).toBe('疾病')
    expect(rows.texts.length).toBe(rows.labels.length)
  })
})

describe('split', () => {
  it("makes the app's de-duplicated stratified 80/10/10 split, the same every time", () => {
    const rows = readCmid(SAMPLE, '4')
    const withCopy = {
      texts: [...rows.texts, ` ${rows.texts[5]}`],
      labels: [...rows.labels, rows.labels[5]],
      skipped: {},
    }
    const source = { file: SAMPLE, labelField: 'label_4class' }
    const s = splitRows(withCopy, 42, source)
    expect(s.labels).toEqual(['其他', '治疗方案', '病症', '药物'])
    expect(s.duplicates).toBe(1)
    expect([s.train.texts.length, s.dev.texts.length, s.test.texts.length]).toEqual([240, 30, 30])
    const all = [...s.train.texts, ...s.dev.texts, ...s.test.texts]
    expect(new Set(all).size).toBe(300)
    for (const part of [s.dev, s.test]) {
      expect(s.labels.map((_, i) => part.labels.filter((l) => l === i).length).sort()).toEqual([
        7, 7, 8, 8,
      ])
    }
    expect(s.source.rows).toBe(301)
    expect(splitRows(withCopy, 42, source).snapshot).toBe(s.snapshot)
    expect(splitRows(withCopy, 43, source).snapshot).not.toBe(s.snapshot)
  })

  it('samples a seeded subset in file order', () => {
    const rows = readCmid(SAMPLE, '4')
    const a = sampleRows(rows, 100, 42)
    expect(a.texts).toHaveLength(100)
    expect(sampleRows(rows, 100, 42)).toEqual(a)
    const at = a.texts.map((t) => rows.texts.indexOf(t))
    expect(at).toEqual([...at].sort((x, y) => x - y))
    expect(sampleRows(rows, 1000, 42)).toBe(rows)
  })
})

describe('batch label mix', () => {
  it('shows when length predicts the label: our length buckets then hold one label each', () => {
    const labels = Array.from({ length: 64 }, (_, i) => i % 4)
    const lengths = labels.map((l) => 8 + 16 * l)
    const o = { batchSize: 16, maxLength: 128, lengthMultiple: 16, seed: 42, epochs: 3 }
    const mix = batchLabelMix(lengths, labels, o)
    expect(mix.ours).toBe(1)
    expect(mix.random).toBeLessThan(0.6)
    expect(batchLabelMix(lengths, labels, o)).toEqual(mix)
  })
})

describe('bench:zh-medical without data', () => {
  it('exits 2 and says which file to place where, its source and licence', () => {
    const missing = join(work, 'nowhere/CMID.json')
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/bench/zh-medical-accuracy.ts'), '--data', missing],
      { encoding: 'utf8', cwd: ROOT },
    )
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`No data: ${missing} does not exist.`)
    expect(r.stderr).toContain('../shared/datasets/cmid/CMID.json')
    expect(r.stderr).toContain('https://github.com/IMU-MachineLearningSXD/CMID')
    expect(r.stderr).toContain('for scientific research only')
  })
})
