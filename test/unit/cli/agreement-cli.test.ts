// `cts agreement` (as JSON and as a table) and `cts adjudicate` (a decision, its revert, refusals),
// run in this process through main() on a 4-text bilingual project labelled by two annotators.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgreementDto, DisagreementDto } from '../../../preload/contract'
import { cohenKappa, krippendorffAlpha } from '../../../main/ml/eval/agreement'
import { boot } from '../../../main/root/boot'
import { ctsInProcess } from './cts-in-process'

const TEXTS = ['患者主诉头痛三天', 'Patient denies chest pain.', '咳嗽伴发热', 'Unremarkable exam.']

let home: string

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-agreement-'))
  const file = join(home, 'notes.csv')
  writeFileSync(file, ['text', ...TEXTS].join('\n') + '\n')
  const backend = await boot({ home, actor: 'tester' })
  try {
    const call = async (name: string, args: unknown) => {
      const e = await backend.dispatch(name, args, { log: () => {} })
      if (!e.ok) throw new Error(e.error.message)
      return e.value as { id: number }
    }
    const projectId = (
      await call('projects/create', { name: 'Notes', kind: 'multiclass', labels: ['健康', '疾病'] })
    ).id
    await call('datasets/import', { projectId, file: { path: file }, mapping: { text: 'text' } })
    //            Dr Li  王医生
    //   text 1   健康   健康
    //   text 2   疾病   健康     (disagree)
    //   text 3   疾病   疾病
    //   text 4   健康   —
    const labels: [number, string, number][] = [
      [1, 'Dr Li', 1],
      [1, '王医生', 1],
      [2, 'Dr Li', 2],
      [2, '王医生', 1],
      [3, 'Dr Li', 2],
      [3, '王医生', 2],
      [4, 'Dr Li', 1],
    ]
    for (const [textId, annotator, label] of labels) {
      await call('labels/set', { textId, labelIds: [label], annotator })
    }
  } finally {
    await backend.shutdown()
  }
}, 60_000)
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => ctsInProcess(home, args)
const li = [0, 1, 1]
const wang = [0, 0, 1]

describe('cts agreement', () => {
  it('--json prints the agreement report with figures equal to agreement.ts', async () => {
    const run = await cts(['agreement', '--project', 'Notes', '--json'])
    expect([run.code, run.stderr]).toEqual([0, ''])
    const r = JSON.parse(run.stdout) as AgreementDto
    expect(Object.keys(r).sort()).toEqual([
      'adjudicated',
      'annotators',
      'disagreements',
      'level',
      'overall',
      'perLabel',
      'projectId',
      'resamples',
      'seed',
    ])
    expect([r.projectId, r.annotators, r.resamples, r.level, r.seed]).toEqual([
      1,
      ['Dr Li', '王医生'],
      1000,
      0.95,
      20240229,
    ])
    expect([r.disagreements, r.adjudicated]).toEqual([1, 0])
    const o = r.overall!
    expect([o.texts, o.fleiss === null]).toEqual([3, false])
    expect(o.cohen.map((p) => [p.a, p.b, p.texts, p.observed])).toEqual([
      ['Dr Li', '王医生', 3, 2 / 3],
    ])
    expect(Math.abs(o.cohen[0].kappa.estimate! - cohenKappa(li, wang))).toBeLessThan(1e-12)
    const ratings = li.map((x, i) => [x, wang[i]])
    expect(Math.abs(o.alpha.estimate! - krippendorffAlpha(ratings, 2))).toBeLessThan(1e-12)
    expect(o.alpha.lower).not.toBeNull()
    expect(r.perLabel.map((l) => l.labelId)).toEqual([1, 2])
  })

  it('prints a table by default', async () => {
    const run = await cts(['agreement', '--project', 'Notes'])
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(
      'Agreement in "Notes": 2 annotator(s) (Dr Li, 王医生); 95 % intervals from 1000 bootstrap resamples.',
    )
    expect(lines[1]).toBe('  texts labelled by two or more: 3')
    expect(lines[2]).toMatch(/^ {2}Krippendorff's α: -?\d\.\d{3}( \[-?\d\.\d{3}, -?\d\.\d{3}\])?$/)
    expect(lines[3]).toMatch(/^ {2}Fleiss' κ: -?\d\.\d{3}/)
    expect(lines[4]).toMatch(
      new RegExp(
        `^ {2}Cohen's κ Dr Li – 王医生: ${cohenKappa(li, wang).toFixed(3)}.* \\(3 texts, agreed on 66\\.7 %\\)$`,
      ),
    )
    expect(lines[5]).toBe('Disagreements: 1 text(s), 0 adjudicated, 1 open.')
  })
})

describe('cts adjudicate', () => {
  it('decides a text by label name, then reverts the decision', async () => {
    const set = await cts([
      'adjudicate',
      '--project',
      'Notes',
      '--text',
      '2',
      '--label',
      '疾病',
      '--note',
      '复查 / re-read',
      '--json',
    ])
    expect([set.code, set.stderr]).toEqual([0, ''])
    const d = JSON.parse(set.stdout) as DisagreementDto
    expect([d.textId, d.resolved, d.how, d.adjudication?.labelIds, d.adjudication?.note]).toEqual([
      2,
      [2],
      'adjudicated',
      [2],
      '复查 / re-read',
    ])
    const report = JSON.parse((await cts(['agreement', '--project', 'Notes', '--json'])).stdout)
    expect([report.disagreements, report.adjudicated]).toEqual([1, 1])
    const revert = await cts(['adjudicate', '--project', 'Notes', '--text', '2', '--revert'])
    expect([revert.code, revert.stdout]).toEqual([0, 'Text 2: gold no label (excluded)\n'])
  })

  it('records the adjudicator named by --annotator', async () => {
    const set = await cts(
      ['adjudicate', '--project', 'Notes', '--text', '2', '--label', '健康'].concat([
        '--annotator',
        '张主任',
      ]),
    )
    expect([set.code, set.stdout]).toEqual([0, 'Text 2: gold 健康 (adjudicated by 张主任)\n'])
    const revert = await cts([
      'adjudicate',
      '--project',
      'Notes',
      '--text',
      '2',
      '--revert',
      '--annotator',
      '张主任',
    ])
    expect([revert.code, revert.stdout]).toEqual([0, 'Text 2: gold no label (excluded)\n'])
  })

  it('refuses an unknown label, a missing decision, and both a decision and --revert', async () => {
    const unknown = await cts([
      'adjudicate',
      '--project',
      'Notes',
      '--text',
      '2',
      '--label',
      '发热',
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(
      '--label "发热" is not a label of "Notes". Labels: 健康, 疾病.',
    )
    const none = await cts(['adjudicate', '--project', 'Notes', '--text', '2'])
    expect([none.code, none.stderr]).toEqual([
      2,
      'Error: Give the decision with --label NAME (several for a multi-label project), or --revert.\n',
    ])
    const both = await cts([
      'adjudicate',
      '--project',
      'Notes',
      '--text',
      '2',
      '--label',
      '健康',
      '--revert',
    ])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('--revert takes the decision back')
  })
})
