// Several annotators through the real UI, in English and in 简体中文 (issue #12 point 6): choose a
// profile at first start, set a two-person team with every text double-annotated, label as Dr A,
// switch to Dr B and label the same texts (some differently), import a third annotator's package
// (built from this project's own content hashes), read κ/α in the agreement view (equal to
// agreement/report), adjudicate every disagreement (and revert one), then train the baseline on the
// gold labels and check the run record states the policy and how each gold label came about.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { AgreementDto, LabelDto } from '../../preload/contract'
import { callApi, openApp, screenshot, type AppSession } from './app-harness'
import { createProjectWithSample, screenshotTall, useAppIn, waitForTraining } from './model-flow'

const A = 'Dr Li 李'
const B = 'Dr Chen 陈'
const C = 'Dr Wu 吴'
/** The annotation lead, who adjudicates and labelled nothing. */
const LEAD = 'Dr Zhang 张'
const MULTILABEL_PACKAGE = fileURLToPath(
  new URL('../fixtures/packages/multilabel.jsonl', import.meta.url),
)
const NOTES = fileURLToPath(new URL('../fixtures/packages/notes.csv', import.meta.url))
const H = '健康'
const D = '疾病'
/**
 * Each annotator's label for the first six texts of the sample, in file order (three healthy
 * check-ups, then headache with fever, two weeks' cough with sputum, chest tightness on exertion).
 * Dr A reads them all as the sample does; Dr B and Dr Wu each miss some.
 */
const PLAN = {
  [A]: [H, H, H, D, D, D],
  [B]: [H, H, D, D, H, D],
  [C]: [H, H, H, D, H, H],
}
/** Texts 2, 4 and 5 (0-based) are disagreements once C's package is in. */
const DISAGREE = [2, 4, 5]
/** Rows of C's package whose label differs from A's or B's on the same text. */
const C_CONFLICTS = 3
const NOTE_4 = '咳嗽两周伴黄痰，按指南判为疾病'

const f3 = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3)

const SAY = {
  en: {
    agreementTab: 'Agreement',
    meaning: /^Cohen's κ, Fleiss' κ and Krippendorff's α measure how much annotators agree/,
    reading: 'Landis & Koch, 1977',
    ci: (lo: string, hi: string) => `95 % CI ${lo} – ${hi}`,
    already: 'Already imported — nothing changed.',
    incomplete: 'incomplete table — texts labelled by different numbers of annotators',
    missing: (row: number) => new RegExp(`^line ${row}: text [0-9a-f]{12} is not in this project$`),
    excluded: 'tie — left out of training (project setting)',
    majority: 'majority of annotators',
    adjudicated: (who: string) => `decided by ${who}`,
  },
  'zh-CN': {
    agreementTab: '一致性',
    meaning: /^Cohen κ、Fleiss κ 和 Krippendorff α 衡量标注者在排除偶然因素后的一致程度/,
    reading: 'Landis & Koch，1977',
    ci: (lo: string, hi: string) => `95% 置信区间 ${lo} – ${hi}`,
    already: '此前已导入 — 未作任何更改。',
    incomplete: '表格不完整 — 各文本的标注者人数不同',
    missing: (row: number) => new RegExp(`^第 ${row} 行：文本 [0-9a-f]{12} 不在本项目中$`),
    excluded: '平票 — 不用于训练（项目设置）',
    majority: '多数标注者',
    adjudicated: (who: string) => `由 ${who} 裁决`,
  },
} as const

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim()
}

/** The app in `locale` with no profile chosen yet: the page opens on the first-start chooser. */
function useFirstStart(locale: 'en' | 'zh-CN'): Page {
  let app: AppSession | undefined
  beforeAll(async () => {
    app = await openApp({ annotator: null })
    await app.page.evaluate(`localStorage.setItem('cts.locale', '${locale}')`)
    await app.page.reload()
  })
  afterAll(async () => {
    await app?.close()
  })
  afterEach(() => {
    expect(app?.errors).toEqual([])
  })
  return new Proxy({} as Page, {
    get(_, key) {
      if (!app) throw new Error('The app is not open yet.')
      const value: unknown = Reflect.get(app.page, key)
      return typeof value === 'function' ? value.bind(app.page) : value
    },
  })
}

/** Chooses (or switches to) a profile through the chooser and waits for the header to show it. */
async function chooseProfile(page: Page, name: string): Promise<void> {
  await page.locator('[data-testid=profile-chooser]').waitFor()
  await page.fill('[data-testid=profile-name]', name)
  await page.click('[data-testid=profile-save]')
  await page.locator('[data-testid=profile-chooser]').waitFor({ state: 'detached' })
  await expect.poll(() => text(page, '[data-testid=profile-current]')).toBe(name)
}

/** Labels the next texts of the queue as the current profile, one key per planned label. */
async function labelPlan(page: Page, plan: string[], labels: LabelDto[]): Promise<number[]> {
  await page.click('[data-testid=tab-label]')
  await page.locator('[data-testid=current-text]').waitFor()
  await page.click('[data-testid=text-card]')
  const done: number[] = []
  for (const name of plan) {
    const id = Number(await page.getAttribute('[data-testid=current-text]', 'data-text-id'))
    // Every text is double-annotated and the project blinds: no one else's label, no suggestion.
    await page.locator('[data-testid=blinded-notice]').waitFor()
    const position = labels.find((l) => l.name === name)!.position
    await page.keyboard.press(String(position))
    await page.locator(`[data-testid=current-text]:not([data-text-id="${id}"])`).waitFor()
    done.push(id)
  }
  await expect
    .poll(() => page.getAttribute('[data-testid=save-status]', 'data-state'))
    .toBe('saved')
  return done
}

const report = (page: Page, projectId: number) =>
  callApi(page, (cts, id) => cts.agreement.report({ projectId: id }), projectId)

/** Every figure the agreement view shows equals agreement/report's, to three decimals. */
async function expectFiguresMatch(page: Page, r: AgreementDto, locale: 'en' | 'zh-CN') {
  const overall = r.overall!
  await page.locator('[data-testid=alpha-value]').waitFor()
  expect(await text(page, '[data-testid=texts-compared]')).toBe(String(overall.texts))
  expect(await text(page, '[data-testid=alpha-value]')).toBe(f3(overall.alpha.estimate))
  expect(await text(page, '[data-testid=alpha-value-ci]')).toBe(
    SAY[locale].ci(f3(overall.alpha.lower), f3(overall.alpha.upper)),
  )
  if (overall.fleiss) {
    expect(await text(page, '[data-testid=fleiss-value]')).toBe(f3(overall.fleiss.estimate))
  } else {
    expect(await text(page, '[data-testid=fleiss-incomplete]')).toBe(SAY[locale].incomplete)
  }
  for (const pair of overall.cohen) {
    const cell = page.locator(
      `[data-testid=cohen-cell][data-a="${pair.a}"][data-b="${pair.b}"] [data-testid=cohen-kappa]`,
    )
    expect(((await cell.textContent()) ?? '').trim()).toBe(f3(pair.kappa.estimate))
  }
  // Two labels: each on its own is the overall figure again, so the view does not repeat it.
  expect(r.perLabel.map((p) => f3(p.figures.alpha.estimate))).toEqual([
    f3(overall.alpha.estimate),
    f3(overall.alpha.estimate),
  ])
  expect(await page.locator('[data-testid=per-label]').count()).toBe(0)
  // The rows come from a later call than the figures (agreement-store refresh): wait for them.
  await expect
    .poll(() => page.locator('[data-testid=disagreement-row]').count())
    .toBe(r.disagreements)
}

for (const locale of ['en', 'zh-CN'] as const) {
  describe(`several annotators, agreement and adjudication (${locale})`, () => {
    const page = useFirstStart(locale)
    const say = SAY[locale]
    const shot = (name: string) => screenshot(page, `annotators-${locale}-${name}`)
    let projectId = 0
    let labels: LabelDto[] = []
    let texts: number[] = []
    const label = (name: string) => labels.find((l) => l.name === name)!
    let dir = ''
    // In Chinese, Dr Wu skipped the first text: texts then have 2 or 3 annotators, and Fleiss' κ
    // (complete tables only) gives way to the view's "incomplete table" line.
    const wuSkipsFirst = locale === 'zh-CN'
    const wuRows = wuSkipsFirst ? 5 : 6

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cts-e2e-packages-'))
    })
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('asks for a profile at first start, then sets up a two-person team with full overlap', async () => {
      await shot('01-first-start')
      await chooseProfile(page, A)
      projectId = await createProjectWithSample(page, `Double annotation ${locale}`)
      labels = (await callApi(page, (cts, id) => cts.projects.get({ projectId: id }), projectId))
        .labels
      await page.click('[data-testid=tab-label]')
      await page.locator('[data-testid=annotator-settings] [data-testid=team-input]').waitFor()
      await page.fill('[data-testid=team-input]', `${A}, ${B}`)
      await page.fill('[data-testid=overlap-input]', '100')
      await page.click('[data-testid=settings-save]')
      await page.locator('[data-testid=settings-saved]').waitFor()
      const settings = await callApi(
        page,
        (cts, id) => cts.annotation.settings({ projectId: id }),
        projectId,
      )
      expect(settings).toMatchObject({
        team: [A, B],
        overlap: 1,
        blind: true,
        tiePolicy: 'exclude',
      })
    })

    it('labels as Dr A, switches to Dr B and labels the same texts blind', async () => {
      const byA = await labelPlan(page, PLAN[A], labels)
      await shot('02-labelling-blinded-A')
      await page.click('[data-testid=profile-switch]')
      await chooseProfile(page, B)
      const byB = await labelPlan(page, PLAN[B], labels)
      // Both were given the same texts, in file order: every text is in both shares.
      expect(byB).toEqual(byA)
      texts = [...byA].sort((x, y) => x - y)
      expect(texts).toEqual(byA)
      const progress = await callApi(
        page,
        (cts, id) => cts.annotation.progress({ projectId: id }),
        projectId,
      )
      expect(progress.multiplyAnnotated).toBe(6)
      expect(progress.perAnnotator.map((p) => [p.annotator, p.done]).sort()).toEqual(
        [
          [A, 6],
          [B, 6],
        ].sort(),
      )
      // The panel re-reads progress once labelling pauses: both have 6 of their 160 texts.
      for (const who of [A, B]) {
        await expect
          .poll(() =>
            text(
              page,
              `[data-testid=progress-row][data-annotator="${who}"] [data-testid=progress-done]`,
            ),
          )
          .toBe('6 / 160')
      }
      await page.locator('[data-testid=annotator-progress]').scrollIntoViewIfNeeded()
      await shot('03-progress-B')
      // A tie between two annotators is left out of training (the default policy).
      for (const i of [2, 4]) {
        const gold = await callApi(page, (cts, id) => cts.texts.get({ textId: id }), texts[i]!)
        expect(gold.labelIds).toEqual([])
      }
    })

    it('shows the two-annotator agreement and the ties left out of training', async () => {
      await page.click('[data-testid=tab-agreement]')
      expect(await text(page, '[data-testid=tab-agreement]')).toBe(say.agreementTab)
      await page.locator('[data-testid=agreement-view] [data-testid=alpha-value]').waitFor()
      const r = await report(page, projectId)
      expect(r.annotators.sort()).toEqual([A, B].sort())
      expect(r.disagreements).toBe(2)
      await expectFiguresMatch(page, r, locale)
      expect(await text(page, '[data-testid=cohen-value]')).toBe(
        f3(r.overall!.cohen[0]!.kappa.estimate),
      )
      expect(await text(page, '[data-testid=agreement-meaning]')).toMatch(say.meaning)
      expect(await text(page, '[data-testid=agreement-meaning]')).toContain(say.reading)
      for (const i of [2, 4]) {
        const row = page.locator(`[data-testid=disagreement-row][data-text-id="${texts[i]}"]`)
        expect(await row.getAttribute('data-how')).toBe('excluded')
        expect(((await row.locator('[data-testid=gold-how]').textContent()) ?? '').trim()).toBe(
          say.excluded,
        )
      }
      await screenshotTall(page, `annotators-${locale}-04-agreement-two`)
    })

    it("exports B's package and imports a third annotator's, built from the same texts", async () => {
      await page.selectOption('[data-testid=package-annotator]', B)
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('[data-testid=package-export]'),
      ])
      await page.locator('[data-testid=package-exported]').waitFor()
      const lines = (await readFile(await download.path()))
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(lines[0]).toMatchObject({
        type: 'cts-annotation-package',
        version: 1,
        annotator: B,
        project: { kind: 'binary' },
      })
      const rows = lines.slice(1) as { contentHash: string; labels: string[]; at: string }[]
      expect(rows.map((r) => r.labels)).toEqual(PLAN[B].map((l) => [l]))

      // Dr Wu labelled the same texts on another computer, and one text this project lacks.
      const at = new Date().toISOString()
      const header = { ...lines[0], annotator: C, exportedAt: at }
      const body = [
        ...rows
          .map((r, i) => ({ contentHash: r.contentHash, labels: [PLAN[C][i]!], at }))
          .slice(6 - wuRows),
        { contentHash: 'f'.repeat(64), labels: [H], at },
      ]
      const file = join(dir, `wu-${locale}.jsonl`)
      await writeFile(file, [header, ...body].map((o) => JSON.stringify(o)).join('\n') + '\n')

      // A package from a multi-label project is refused with the reason, and nothing changes.
      await page.setInputFiles('[data-testid=package-import-input]', MULTILABEL_PACKAGE)
      expect(await text(page, '[data-testid=package-error]')).toBe(
        'This package is for a multi-label project; this project takes one label per text. Nothing was imported.',
      )
      expect(await page.locator('[data-testid=package-summary]').count()).toBe(0)

      await page.setInputFiles('[data-testid=package-import-input]', file)
      await page.locator('[data-testid=package-summary][data-already=false]').waitFor()
      expect(await text(page, '[data-testid=summary-rows]')).toBe(String(wuRows + 1))
      expect(await text(page, '[data-testid=summary-merged]')).toBe(String(wuRows))
      expect(await text(page, '[data-testid=summary-unchanged]')).toBe('0')
      expect(await text(page, '[data-testid=summary-conflicts]')).toBe(String(C_CONFLICTS))
      expect(await text(page, '[data-testid=summary-missing]')).toBe('1')
      // Line 1 is the header: the unknown text is the package's last line.
      expect(await text(page, '[data-testid=summary-missing-row]')).toMatch(say.missing(wuRows + 2))
      await page.locator('[data-testid=package-summary]').scrollIntoViewIfNeeded()
      await shot('05-package-imported')

      // The same bytes again change nothing, and the panel says so.
      await page.setInputFiles('[data-testid=package-import-input]', file)
      await page.locator('[data-testid=package-summary][data-already=true]').waitFor()
      expect(await text(page, '[data-testid=package-already]')).toBe(say.already)
      const r = await report(page, projectId)
      expect(r.annotators.sort()).toEqual([A, B, C].sort())
      expect(r.disagreements).toBe(3)
    })

    it('shows κ and α for three annotators exactly as agreement/report computes them', async () => {
      const r = await report(page, projectId)
      await page.locator(`[data-testid=disagreement-row]`).nth(2).waitFor()
      await expectFiguresMatch(page, r, locale)
      expect(r.overall!.texts).toBe(6)
      expect(r.overall!.cohen).toHaveLength(3)
      expect(r.overall!.cohen.map((p) => p.texts).sort()).toEqual([6, wuRows, wuRows].sort())
      // Fleiss' κ only when every text was labelled by all three.
      expect(r.overall!.fleiss === null).toBe(wuSkipsFirst)
      for (const i of DISAGREE) {
        const row = page.locator(`[data-testid=disagreement-row][data-text-id="${texts[i]}"]`)
        expect(await row.getAttribute('data-how')).toBe('majority')
        expect(await row.locator('[data-testid=disagreement-annotation]').count()).toBe(3)
      }
      // The confusion of A and B: rows A's label, columns B's, equal to agreement/pair.
      await page.click(`[data-testid=cohen-cell][data-a="${A}"][data-b="${B}"] button`)
      await expect.poll(() => page.inputValue('[data-testid=pair-a]')).toBe(A)
      expect(await page.inputValue('[data-testid=pair-b]')).toBe(B)
      const pair = await callApi(
        page,
        (cts, arg) => cts.agreement.pair({ projectId: arg.projectId, a: arg.a, b: arg.b }),
        { projectId, a: A, b: B },
      )
      expect(pair.texts).toBe(6)
      for (let i = 0; i < pair.matrix.length; i++) {
        for (let j = 0; j < pair.matrix[i]!.length; j++) {
          await expect
            .poll(() => text(page, `[data-testid=pair-${i}-${j}]`))
            .toBe(String(pair.matrix[i]![j]))
        }
      }
      const hi = pair.labelIds.indexOf(label(H).id)
      const di = pair.labelIds.indexOf(label(D).id)
      // Off the diagonal: text 2 (A 健康, B 疾病) and text 4 (A 疾病, B 健康).
      expect([pair.matrix[hi]![di], pair.matrix[di]![hi]]).toEqual([1, 1])
      await screenshotTall(page, `annotators-${locale}-06-agreement-three`)
    })

    it('adjudicates every disagreement as the lead, reverts one decision and decides it again', async () => {
      await page.click('[data-testid=profile-switch]')
      await chooseProfile(page, LEAD)
      await page.locator('[data-testid=disagreement-row]').nth(2).waitFor()
      const decide = async (i: number, name: string, note: string) => {
        const row = page.locator(`[data-testid=disagreement-row][data-text-id="${texts[i]}"]`)
        await row.locator(`[data-testid=adjudicate-label-${label(name).id}]`).click()
        await row.locator('[data-testid=adjudicate-note]').fill(note)
        await row.locator('[data-testid=adjudicate-save]').click()
        await page
          .locator(
            `[data-testid=disagreement-row][data-text-id="${texts[i]}"][data-how=adjudicated]`,
          )
          .waitFor()
        expect(((await row.locator('[data-testid=gold-how]').textContent()) ?? '').trim()).toBe(
          say.adjudicated(LEAD),
        )
        return row
      }
      await decide(2, H, 'BP and heart rate normal, no complaints: healthy')
      // The majority (B and Wu: 健康) missed the two weeks' productive cough: overruled.
      const overruled = await decide(4, D, NOTE_4)
      await decide(5, D, 'Chest tightness and breathlessness on exertion')
      await page.locator('[data-testid=disagreement-row]').first().scrollIntoViewIfNeeded()
      await shot('07-adjudicated')

      // Revert: the majority (健康) is the gold label again; then the decision is made again.
      await overruled.locator('[data-testid=adjudicate-revert]').click()
      await page
        .locator(`[data-testid=disagreement-row][data-text-id="${texts[4]}"][data-how=majority]`)
        .waitFor()
      expect(((await overruled.locator('[data-testid=gold-how]').textContent()) ?? '').trim()).toBe(
        say.majority,
      )
      let gold = await callApi(page, (cts, id) => cts.texts.get({ textId: id }), texts[4]!)
      expect(gold.labelIds).toEqual([label(H).id])
      await decide(4, D, NOTE_4)
      gold = await callApi(page, (cts, id) => cts.texts.get({ textId: id }), texts[4]!)
      expect(gold.labelIds).toEqual([label(D).id])

      const r = await report(page, projectId)
      expect([r.disagreements, r.adjudicated]).toEqual([3, 3])
      expect(r.annotators.sort()).toEqual([A, B, C].sort())
      const rows = await callApi(
        page,
        (cts, id) => cts.agreement.disagreements({ projectId: id, offset: 0, limit: 50 }),
        projectId,
      )
      expect(
        [...rows.rows]
          .sort((x, y) => x.textId - y.textId)
          .map((d) => [d.textId, d.resolved, d.adjudication?.adjudicator, d.how]),
      ).toEqual([
        [texts[2], [label(H).id], LEAD, 'adjudicated'],
        [texts[4], [label(D).id], LEAD, 'adjudicated'],
        [texts[5], [label(D).id], LEAD, 'adjudicated'],
      ])
      expect(rows.rows.find((d) => d.textId === texts[4])!.adjudication?.note).toBe(NOTE_4)
      // The undecided filter is now empty.
      await page.check('[data-testid=disagreements-open-only]')
      await expect.poll(() => page.locator('[data-testid=disagreement-row]').count()).toBe(0)
      await page.uncheck('[data-testid=disagreements-open-only]')
      await page.locator('[data-testid=disagreement-row]').nth(2).waitFor()
    })

    it('trains the baseline on the gold labels; the run records the policy and the agreement', async () => {
      const before = await report(page, projectId)
      await page.click('[data-testid=tab-train]')
      await page.locator('[data-testid=train-form][data-ready=true]').waitFor()
      await page.check('[data-testid=model-baseline]')
      await page.click('[data-testid=train-start]')
      expect(await waitForTraining(page, 90_000)).toBe('success')
      await shot('08-trained')
      const runs = await callApi(page, (cts, id) => cts.runs.list({ projectId: id }), projectId)
      const provenance = runs[0]!.labelProvenance!
      expect(provenance.policy).toEqual({ tiePolicy: 'exclude', tieAnnotator: null })
      // The lead decided but labelled nothing: not an annotator.
      expect(provenance.annotators.sort()).toEqual([A, B, C].sort())
      // 3 adjudicated, 3 on which all agreed, the other 154 texts keep the imported labels.
      expect(provenance.counts).toMatchObject({
        adjudicated: 3,
        agreed: 3,
        majority: 0,
        excluded: 0,
        reference: 154,
      })
      expect(provenance.alpha?.estimate).toBeCloseTo(before.overall!.alpha.estimate!, 12)
      if (wuSkipsFirst) expect(provenance.fleiss).toBeNull()
      else expect(provenance.fleiss?.estimate).toBeCloseTo(before.overall!.fleiss!.estimate!, 12)
      await page.click('[data-testid=view-run]')
      await page.locator('[data-testid=classification-report]').waitFor()
      // The run's page states who labelled, the policy, how gold labels came about, and α.
      await page.locator('[data-testid=label-provenance]').waitFor()
      const counts = await page.$$eval('[data-testid=provenance-counts] tbody tr', (trs) =>
        trs.map((tr) => [tr.getAttribute('data-how'), tr.querySelector('.num')?.textContent]),
      )
      expect(counts).toEqual([
        ['adjudicated', '3'],
        ['agreed', '3'],
        ['reference', '154'],
      ])
      expect(
        await page.$$eval('[data-testid=provenance-alpha] td.num', (tds) =>
          tds.map((td) => td.textContent?.trim()),
        ),
      ).toEqual([
        f3(provenance.alpha!.estimate),
        `${f3(provenance.alpha!.lower)} – ${f3(provenance.alpha!.upper)}`,
      ])
      expect(await text(page, '[data-testid=provenance-policy]')).not.toBe('')
      await page.locator('[data-testid=label-provenance]').scrollIntoViewIfNeeded()
      await shot('10-run-provenance')
      await screenshotTall(page, `annotators-${locale}-09-run`)
    })
  })
}

describe('a multi-label project: agreement per label, adjudicated as a set (en)', () => {
  const page = useAppIn('en')
  const NAMES = ['发热 fever', '咳嗽 cough', '胸痛 chest pain', '高血压 hypertension']

  it('shows each label on its own and takes a set of labels as the decision', async () => {
    const project = await callApi(
      page,
      (cts, names) =>
        cts.projects.create({ name: '多标签 notes', kind: 'multilabel', labels: names }),
      NAMES,
    )
    const id = (name: string) => project.labels.find((l) => l.name === name)!.id
    const [F, C, P, HT] = NAMES.map(id) as [number, number, number, number]
    const csv = (await readFile(NOTES)).toString('base64')
    await callApi(
      page,
      (cts, arg) =>
        cts.datasets.import({
          projectId: arg.projectId,
          file: { name: 'notes.csv', contentBase64: arg.csv },
          mapping: { text: 'text', id: 'id' },
        }),
      { projectId: project.id, csv },
    )
    const rows = (
      await callApi(
        page,
        (cts, pid) => cts.texts.list({ projectId: pid, offset: 0, limit: 10 }),
        project.id,
      )
    ).rows
    const n = (externalId: string) => rows.find((r) => r.externalId === externalId)!.id
    // Nobody has labelled yet: the view says how to get agreement figures, and offers packages.
    await page.evaluate(`location.hash = '#/projects/${project.id}/agreement'`)
    await page.locator('[data-testid=agreement-empty]').waitFor()
    await page.locator('[data-testid=package-import-input]').waitFor({ state: 'attached' })
    // Both read n1 (fever with cough), n2 (chest pain) and n5 (raised blood pressure); B missed
    // the cough in n1.
    const plan: [string, string, number[]][] = [
      [A, 'n1', [F, C]],
      [A, 'n2', [P]],
      [A, 'n5', [HT]],
      [B, 'n1', [F]],
      [B, 'n2', [P]],
      [B, 'n5', [HT]],
    ]
    for (const [annotator, text, labelIds] of plan) {
      await callApi(page, (cts, arg) => cts.labels.set(arg), {
        textId: n(text),
        labelIds,
        annotator,
      })
    }

    await page.click('[data-testid=agreement-refresh]')
    await page.locator('[data-testid=per-label]').waitFor()
    const r = await report(page, project.id)
    expect(r.overall).toBeNull()
    expect(r.perLabel.map((p) => p.labelId)).toEqual([F, C, P, HT])
    // No single headline α and no label-by-label confusion: a text can carry several labels.
    expect(await page.locator('[data-testid=alpha-value]').count()).toBe(0)
    expect(await page.locator('[data-testid=pair-confusion]').count()).toBe(0)
    for (const row of r.perLabel) {
      expect(await text(page, `[data-testid=label-alpha-${row.labelId}]`)).toBe(
        f3(row.figures.alpha.estimate),
      )
    }
    // The pair matrix follows the chosen label.
    await page.selectOption('[data-testid=matrix-label]', String(C))
    const cough = r.perLabel.find((p) => p.labelId === C)!.figures.cohen[0]!
    expect(
      await text(page, `[data-testid=cohen-cell][data-a="${cough.a}"][data-b="${cough.b}"]`),
    ).toContain(f3(cough.kappa.estimate))

    // n1: fever by both, cough by A only — half the voters: a tie, left out of training.
    const row = page.locator(`[data-testid=disagreement-row][data-text-id="${n('n1')}"]`)
    expect(await row.getAttribute('data-how')).toBe('excluded')
    await row.locator(`[data-testid=adjudicate-label-${F}]`).click()
    await row.locator(`[data-testid=adjudicate-label-${C}]`).click()
    await row.locator('[data-testid=adjudicate-save]').click()
    await page
      .locator(`[data-testid=disagreement-row][data-text-id="${n('n1')}"][data-how=adjudicated]`)
      .waitFor()
    expect(await row.locator('[data-testid=gold-label]').getAttribute('data-label-ids')).toBe(
      [F, C].sort((x, y) => x - y).join(','),
    )
    const gold = await callApi(page, (cts, tid) => cts.texts.get({ textId: tid }), n('n1'))
    expect(gold.labelIds).toEqual([F, C].sort((x, y) => x - y))
    await screenshotTall(page, 'annotators-en-11-multilabel')
  })
})
