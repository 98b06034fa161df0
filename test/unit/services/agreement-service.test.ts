// Agreement and adjudication on hand-built bilingual projects: the service's figures equal
// agreement.ts's cohenKappa / fleissKappa / krippendorffAlpha on the same matrices (missing
// cells, a label nobody used, multi-label), disagreements exact, adjudication set and reverted.
import { afterEach, describe, expect, it } from 'vitest'
import type { AgreementValueDto } from '../../../preload/contract'
import type { SourceRecord } from '../../../main/data/types'
import {
  cohenKappa,
  countTable,
  fleissKappa,
  krippendorffAlpha,
  labelPresence,
  type Rating,
  type RatingMatrix,
} from '../../../main/ml/eval/agreement'
import {
  disagreementTextIds,
  labelSetMatrix,
  namedAnnotators,
  type LabelRow,
} from '../../../main/services/agreement-figures'
import { AgreementService } from '../../../main/services/agreement-service'
import { ProjectsService } from '../../../main/services/projects-service'
import { tempServices, type TempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

const notes: SourceRecord[] = [
  { row: 2, text: '患者主诉头痛三天' },
  { row: 3, text: 'Patient denies chest pain.' },
  { row: 4, text: '血压 150/95 mmHg，建议复查' },
  { row: 5, text: 'No acute distress; follow up in 2 weeks.' },
  { row: 6, text: '咳嗽伴发热' },
  { row: 7, text: 'Unremarkable examination.' },
  { row: 8, text: '双肺呼吸音清' },
]

const LI = 'Dr Li'
const SMITH = 'Dr Smith'
const WANG = '王医生'

let app: TempServices
afterEach(() => app?.dispose())

/** A project with texts 1–7 and labels 1–3 named 健康, 疾病, 不确定 (不确定: nobody uses it). */
async function project(kind: 'multiclass' | 'multilabel'): Promise<number> {
  app = tempServices({ sourceReader: new ArrayReader(() => notes) })
  const p = await app.handlers['projects/create']({
    name: `notes ${kind}`,
    kind,
    labels: ['健康', '疾病', '不确定'],
  })
  await app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
  return p.id
}

const label = (textId: number, annotator: string, labelIds: number[]) =>
  app.handlers['labels/set']({ textId, labelIds, annotator })

/** Column c of a rating matrix. */
const col = (m: RatingMatrix, c: number): Rating[] => m.map((row) => row[c])

/** The service's value equals `expected` to 1e-12 and carries an interval around itself. */
function expectValue(v: AgreementValueDto, expected: number): void {
  expect(v.estimate).not.toBeNull()
  expect(Math.abs(v.estimate! - expected)).toBeLessThan(1e-12)
  expect(v.lower).not.toBeNull()
  expect(v.upper).not.toBeNull()
  expect(v.lower!).toBeLessThanOrEqual(v.upper!)
}

const NO_VALUE = { estimate: null, lower: null, upper: null }

describe('rating matrices from annotator rows (pure)', () => {
  const rows: LabelRow[] = [
    { textId: 1, annotator: LI, labelIds: [1], at: 't' },
    { textId: 1, annotator: WANG, labelIds: [1], at: 't' },
    { textId: 1, annotator: '', labelIds: [2], at: 't' },
    { textId: 2, annotator: LI, labelIds: [2], at: 't' },
    { textId: 2, annotator: WANG, labelIds: [], at: 't' },
    { textId: 3, annotator: SMITH, labelIds: [2, 1], at: 't' },
    { textId: 3, annotator: LI, labelIds: [1, 2], at: 't' },
    { textId: 3, annotator: WANG, labelIds: [1], at: 't' },
    { textId: 4, annotator: '', labelIds: [1], at: 't' },
    { textId: 4, annotator: SMITH, labelIds: [2], at: 't' },
  ]

  it('keeps texts with two or more ratings; a cleared row and the reference never count', () => {
    expect(namedAnnotators(rows)).toEqual([LI, SMITH, WANG])
    expect(labelSetMatrix(rows, [LI, SMITH, WANG])).toEqual({
      textIds: [1, 3],
      sets: [
        [[1], null, [1]],
        [[1, 2], [1, 2], [1]],
      ],
    })
    expect(disagreementTextIds(rows)).toEqual([3])
  })
})

describe('agreement/report, pair and disagreements (single-label)', () => {
  /**
   *            Dr Li   Dr Smith  王医生
   *   text 1   健康    健康      健康
   *   text 2   疾病    健康      疾病
   *   text 3   健康    —         疾病      (tie → excluded)
   *   text 4   疾病    疾病      —
   *   text 5   健康    —         cleared   (one rating: not in the matrix)
   *   text 6   —       —         疾病
   *   text 7   —       —         —
   */
  async function labelled(): Promise<number> {
    const projectId = await project('multiclass')
    await label(1, LI, [1])
    await label(1, SMITH, [1])
    await label(1, WANG, [1])
    await label(2, LI, [2])
    await label(2, SMITH, [1])
    await label(2, WANG, [2])
    await label(3, LI, [1])
    await label(3, WANG, [2])
    await label(4, LI, [2])
    await label(4, SMITH, [2])
    await label(5, LI, [1])
    await label(5, WANG, [2])
    await label(5, WANG, [])
    await label(6, WANG, [2])
    return projectId
  }
  // Columns Dr Li, Dr Smith, 王医生; categories 0 = 健康, 1 = 疾病, 2 = 不确定.
  const ratings: RatingMatrix = [
    [0, 0, 0],
    [1, 0, 1],
    [0, null, 1],
    [1, 1, null],
  ]

  it('equals cohenKappa, krippendorffAlpha on the same matrix; Fleiss null on an incomplete table', async () => {
    const projectId = await labelled()
    const r = await app.handlers['agreement/report']({ projectId })
    expect(r.annotators).toEqual([LI, SMITH, WANG])
    expect([r.resamples, r.level, r.seed]).toEqual([1000, 0.95, 20240229])
    const overall = r.overall!
    expect(overall.texts).toBe(4)
    expect(overall.fleiss).toBeNull()
    expectValue(overall.alpha, krippendorffAlpha(ratings, 3))
    expect(overall.cohen.map((p) => [p.a, p.b, p.texts, p.observed])).toEqual([
      [LI, SMITH, 3, 2 / 3],
      [LI, WANG, 3, 2 / 3],
      [SMITH, WANG, 2, 1 / 2],
    ])
    const pairs: [number, number][] = [
      [0, 1],
      [0, 2],
      [1, 2],
    ]
    pairs.forEach(([a, b], i) => {
      const kappa = overall.cohen[i].kappa
      expect(Math.abs(kappa.estimate! - cohenKappa(col(ratings, a), col(ratings, b)))).toBeLessThan(
        1e-12,
      )
    })
    // One-vs-rest per label; 不确定 (nobody used it) has no figure at all.
    expect(r.perLabel.map((l) => l.labelId)).toEqual([1, 2, 3])
    for (const [l, { figures }] of r.perLabel.slice(0, 2).entries()) {
      const presence = labelPresence(
        ratings.map((row) => row.map((x) => (x === null ? null : [x]))),
        l,
      )
      expectValue(figures.alpha, krippendorffAlpha(presence, 2))
    }
    const unused = r.perLabel[2].figures
    expect(unused.alpha).toEqual(NO_VALUE)
    expect(unused.cohen.map((p) => p.kappa)).toEqual([NO_VALUE, NO_VALUE, NO_VALUE])
    expect(unused.cohen.map((p) => p.observed)).toEqual([1, 1, 1])
    expect([r.disagreements, r.adjudicated]).toEqual([2, 0])
  })

  it("Fleiss' κ on a complete table equals fleissKappa", async () => {
    const projectId = await labelled()
    const r = await app.handlers['agreement/report']({ projectId, annotators: [LI, WANG] })
    const complete: RatingMatrix = [
      [0, 0],
      [1, 1],
      [0, 1],
    ]
    expect(r.overall!.texts).toBe(3)
    expectValue(r.overall!.fleiss!, fleissKappa(countTable(complete, 3)))
    expectValue(r.overall!.alpha, krippendorffAlpha(complete, 3))
    expect(r.overall!.cohen[0].kappa.estimate).toBeCloseTo(
      cohenKappa(col(complete, 0), col(complete, 1)),
      12,
    )
  })

  it('gives the confusion between two annotators on the texts both labelled', async () => {
    const projectId = await labelled()
    expect(await app.handlers['agreement/pair']({ projectId, a: LI, b: SMITH })).toEqual({
      a: LI,
      b: SMITH,
      labelIds: [1, 2, 3],
      matrix: [
        [1, 0, 0],
        [1, 1, 0],
        [0, 0, 0],
      ],
      texts: 3,
    })
    await expect(app.handlers['agreement/pair']({ projectId, a: LI, b: LI })).rejects.toMatchObject(
      { code: 'bad-input' },
    )
    await expect(
      app.handlers['agreement/pair']({ projectId, a: LI, b: 'Dr Nobody' }),
    ).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('Dr Nobody') })
  })

  it('lists the disagreements; adjudication decides the gold label and revert gives it back', async () => {
    const projectId = await labelled()
    const list = await app.handlers['agreement/disagreements']({ projectId, offset: 0, limit: 10 })
    expect(list.total).toBe(2)
    expect(
      list.rows.map((d) => ({
        textId: d.textId,
        text: d.text,
        annotations: d.annotations.map((a) => [a.annotator, a.labelIds]),
        adjudication: d.adjudication,
        resolved: d.resolved,
        how: d.how,
      })),
    ).toEqual([
      {
        textId: 2,
        text: 'Patient denies chest pain.',
        annotations: [
          [LI, [2]],
          [SMITH, [1]],
          [WANG, [2]],
        ],
        adjudication: null,
        resolved: [2],
        how: 'majority',
      },
      {
        textId: 3,
        text: '血压 150/95 mmHg，建议复查',
        annotations: [
          [LI, [1]],
          [WANG, [2]],
        ],
        adjudication: null,
        resolved: [],
        how: 'excluded',
      },
    ])
    expect(list.rows.every((d) => d.annotations.every((a) => a.at.length > 0))).toBe(true)
    expect(
      (await app.handlers['agreement/disagreements']({ projectId, offset: 1, limit: 1 })).rows.map(
        (d) => d.textId,
      ),
    ).toEqual([3])

    const decided = await app.handlers['adjudication/set']({
      textId: 3,
      labelIds: [2],
      note: '复查后确认 / confirmed on review',
    })
    expect(decided).toMatchObject({
      textId: 3,
      resolved: [2],
      how: 'adjudicated',
      adjudication: {
        labelIds: [2],
        adjudicator: 'tester',
        note: '复查后确认 / confirmed on review',
      },
    })
    // The gold label training reads changed with it.
    expect((await app.handlers['texts/get']({ textId: 3 })).labelIds).toEqual([2])
    const open = await app.handlers['agreement/disagreements']({
      projectId,
      offset: 0,
      limit: 10,
      open: true,
    })
    expect([open.total, open.rows.map((d) => d.textId)]).toEqual([1, [2]])
    const report = await app.handlers['agreement/report']({ projectId })
    expect([report.disagreements, report.adjudicated]).toEqual([2, 1])

    const reverted = await app.handlers['adjudication/revert']({ textId: 3 })
    expect(reverted).toMatchObject({ textId: 3, adjudication: null, resolved: [], how: 'excluded' })
    expect((await app.handlers['texts/get']({ textId: 3 })).labelIds).toEqual([])
    await expect(app.handlers['adjudication/revert']({ textId: 3 })).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('no adjudication to revert'),
    })

    const audit = app.workspace.db
      .prepare("SELECT actor, action FROM audit_log WHERE action LIKE 'adjudication%' ORDER BY id")
      .all()
    expect(audit).toEqual([
      { actor: 'tester', action: 'adjudication.set' },
      { actor: 'tester', action: 'adjudication.revert' },
    ])
  })

  it('refuses a decision the project cannot hold', async () => {
    const projectId = await labelled()
    await expect(
      app.handlers['adjudication/set']({ textId: 3, labelIds: [1, 2] }),
    ).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('one label') })
    await expect(
      app.handlers['adjudication/set']({ textId: 3, labelIds: [99] }),
    ).rejects.toMatchObject({ code: 'bad-input' })
    await expect(
      app.handlers['adjudication/set']({ textId: 99, labelIds: [1] }),
    ).rejects.toMatchObject({ code: 'not-found' })
    await expect(
      app.handlers['adjudication/set']({ textId: 3, labelIds: [1], projectId: projectId + 1 }),
    ).rejects.toMatchObject({ code: 'not-found' })
  })

  it('records the label provenance: policy, counts, α over all three, no Cohen κ for three', async () => {
    const projectId = await labelled()
    const service = new AgreementService(
      app.workspace.repos,
      new ProjectsService(app.workspace.repos, 'tester'),
    )
    const p = await service.labelProvenance(projectId)
    expect(p.annotators).toEqual([LI, SMITH, WANG])
    expect(p.policy).toEqual({ tiePolicy: 'exclude', tieAnnotator: null })
    expect(p.counts).toEqual({
      adjudicated: 0,
      agreed: 2,
      majority: 1,
      single: 2,
      'tie-annotator': 0,
      excluded: 1,
      reference: 0,
      none: 1,
    })
    expectValue(p.alpha!, krippendorffAlpha(ratings, 3))
    expect(p.cohen).toBeNull()
    expect(p.fleiss).toBeNull()
  })
})

describe('multi-label projects', () => {
  /**
   *            Dr Li       王医生
   *   text 1   健康        健康
   *   text 2   健康 疾病   疾病
   *   text 3   疾病        健康 疾病
   *   text 4   疾病        —
   */
  async function labelled(): Promise<number> {
    const projectId = await project('multilabel')
    await label(1, LI, [1])
    await label(1, WANG, [1])
    await label(2, LI, [1, 2])
    await label(2, WANG, [2])
    await label(3, LI, [2])
    await label(3, WANG, [1, 2])
    await label(4, LI, [2])
    return projectId
  }
  const sets = [
    [[0], [0]],
    [[0, 1], [1]],
    [[1], [0, 1]],
  ]

  it('reports per label (present/absent), no overall figure, and refuses a confusion table', async () => {
    const projectId = await labelled()
    const r = await app.handlers['agreement/report']({ projectId })
    expect(r.overall).toBeNull()
    expect(r.annotators).toEqual([LI, WANG])
    const healthy = labelPresence(sets, 0)
    const ill = labelPresence(sets, 1)
    expect(r.perLabel[0].figures.texts).toBe(3)
    expectValue(r.perLabel[0].figures.alpha, krippendorffAlpha(healthy, 2))
    expectValue(r.perLabel[0].figures.fleiss!, fleissKappa(countTable(healthy, 2)))
    expect(r.perLabel[0].figures.cohen[0].kappa.estimate).toBeCloseTo(
      cohenKappa(col(healthy, 0), col(healthy, 1)),
      12,
    )
    expect(r.perLabel[0].figures.cohen[0].observed).toBe(1 / 3)
    expect(r.perLabel[1].figures.alpha.estimate).toBeCloseTo(krippendorffAlpha(ill, 2), 12)
    expect(r.perLabel[2].figures.alpha).toEqual(NO_VALUE)
    expect([r.disagreements, r.adjudicated]).toEqual([2, 0])
    await expect(
      app.handlers['agreement/pair']({ projectId, a: LI, b: WANG }),
    ).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('multi-label') })
  })

  it('adjudicates with several labels; the provenance compares whole label sets', async () => {
    const projectId = await labelled()
    const d = await app.handlers['adjudication/set']({ textId: 2, labelIds: [2, 1] })
    expect([d.resolved, d.how]).toEqual([[1, 2], 'adjudicated'])
    const service = new AgreementService(
      app.workspace.repos,
      new ProjectsService(app.workspace.repos, 'tester'),
    )
    const p = await service.labelProvenance(projectId)
    // Sets as categories in order of appearance: {健康} 0, {健康,疾病} 1, {疾病} 2.
    const whole: RatingMatrix = [
      [0, 0],
      [1, 2],
      [2, 1],
    ]
    expectValue(p.alpha!, krippendorffAlpha(whole, 3))
    expect(p.cohen!.texts).toBe(3)
    expect(p.cohen!.kappa.estimate).toBeCloseTo(cohenKappa(col(whole, 0), col(whole, 1)), 12)
    expect(p.fleiss!.estimate).toBeCloseTo(fleissKappa(countTable(whole, 3)), 12)
    expect(p.counts.adjudicated).toBe(1)
  })

  it('has null figures when no text has two annotators', async () => {
    const projectId = await project('multiclass')
    await label(1, LI, [1])
    await label(2, WANG, [2])
    const service = new AgreementService(
      app.workspace.repos,
      new ProjectsService(app.workspace.repos, 'tester'),
    )
    const p = await service.labelProvenance(projectId)
    expect([p.annotators, p.alpha, p.cohen, p.fleiss]).toEqual([[LI, WANG], null, null, null])
    const r = await app.handlers['agreement/report']({ projectId })
    expect(r.overall).toEqual({
      texts: 0,
      cohen: [{ a: LI, b: WANG, texts: 0, observed: null, kappa: NO_VALUE }],
      fleiss: null,
      alpha: NO_VALUE,
    })
  })
})
