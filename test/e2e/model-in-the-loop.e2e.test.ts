// The model in the loop through the real UI, in English and in 简体中文: import a bilingual fixture
// with one planted wrong label, label with the keyboard until the in-loop model retrains, accept its
// suggestion by key, switch the queue order and see why each text came next, watch the estimate on
// the audit texts appear and grow, then find the planted label in the review and fix it.
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { LabelDto } from '../../preload/contract'
import { callApi, screenshot } from './app-harness'
import { useAppIn } from './model-flow'

const FIXTURE = fileURLToPath(new URL('../fixtures/active/triage-loop.csv', import.meta.url))
/** Row 22 of the fixture: plainly a disease note, imported with the label 健康 (healthy). */
const PLANTED = 'Fever 39.5 with severe cough, chest pain and breathlessness since yesterday.'
const DISEASE = /fever|pain|cough|vomit|breath|chills|headache|发热|痛|咳|呕|气促|大汗/i

/** What each language shows: the wording the issue asks for, and this file's screenshot names. */
const LOCALES = {
  en: {
    estimate:
      /^Estimated on (\d+) audit texts only: macro-F1 \d\.\d{3} \(95 % CI \d\.\d{3}–\d\.\d{3}\)$/,
    uncertain:
      /^Why this text: Uncertain: margin \d\.\d\d between the model's two likeliest labels$/,
    audit: /^Why this text: Audit sample text \(every 3rd\) — keeps the quality estimate honest$/,
    trainedOn: /^Model trained on \d+ labels$/,
  },
  'zh-CN': {
    estimate:
      /^仅基于 (\d+) 条审计文本估计：宏平均 F1 \d\.\d{3}（95% 置信区间 \d\.\d{3}–\d\.\d{3}）$/,
    uncertain: /^为何选这条： ?模型不确定：最可能的两个标签概率仅差 \d\.\d\d$/,
    audit: /^为何选这条： ?审计样本（每 3 条穿插 1 条）— 保证质量估计客观$/,
    trainedOn: /^模型基于 \d+ 条标注训练$/,
  },
} as const

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim()
}

async function currentTextId(page: Page): Promise<number> {
  return Number(await page.getAttribute('[data-testid=current-text]', 'data-text-id'))
}

/** Presses `key` on the open text and waits for the next one (or the all-done card). */
async function press(page: Page, key: string): Promise<number> {
  const id = await currentTextId(page)
  await page.keyboard.press(key)
  await page
    .locator(`[data-testid=current-text]:not([data-text-id="${id}"]), [data-testid=all-done]`)
    .first()
    .waitFor()
  return id
}

/** The right label's key for the open text (the fixture's disease notes name a symptom). */
async function rightKey(page: Page, labels: LabelDto[]): Promise<string> {
  const body = await text(page, '[data-testid=current-text]')
  const name = DISEASE.test(body) ? '疾病' : '健康'
  return String(labels.find((l) => l.name === name)!.position)
}

async function auditCount(page: Page): Promise<number> {
  return Number(await page.getAttribute('[data-testid=audit-estimate]', 'data-n'))
}

for (const locale of ['en', 'zh-CN'] as const) {
  describe(`the model in the loop (${locale})`, () => {
    const page = useAppIn(locale)
    const say = LOCALES[locale]
    const shot = (name: string) => screenshot(page, `loop-${locale}-${name}`)
    let projectId = 0
    let labels: LabelDto[] = []
    let firstModelLabels = 0

    it('imports the fixture into a new project with a 3-label retrain threshold', async () => {
      await page.click('[data-testid=new-project]')
      await page.fill('[data-testid=project-name]', `Triage loop ${locale}`)
      await page.click('[data-testid=create-submit]')
      await page.locator('[data-testid=project-title]').waitFor()
      projectId = Number(/projects\/(\d+)/.exec(page.url())![1])
      // The audit sample is drawn when texts arrive: a third of them, every third text an audit
      // text, so a short test labels several (the defaults are 10 % and every tenth).
      await callApi(
        page,
        (cts, id) => cts.loop.settings({ projectId: id, auditRate: 0.3, mixEvery: 3 }),
        projectId,
      )
      await page.click('[data-testid=import]')
      await page.setInputFiles('[data-testid=import-file]', FIXTURE)
      await page.locator('[data-testid=import-preview]').waitFor()
      await page.click('[data-testid=import-submit]')
      await page.locator('[data-testid=import-result]').waitFor()
      expect(await page.textContent('[data-testid=result-imported]')).toBe('48')
      await page.click('[data-testid=import-done]')
      labels = (await callApi(page, (cts, id) => cts.projects.get({ projectId: id }), projectId))
        .labels

      await page.click('[data-testid=tab-label]')
      await page.locator('[data-testid=loop-panel]').waitFor()
      if (!(await page.isChecked('[data-testid=loop-enabled]'))) {
        await page.check('[data-testid=loop-enabled]')
      }
      await page.fill('[data-testid=loop-threshold]', '3')
      await page.press('[data-testid=loop-threshold]', 'Enter')
      await expect
        .poll(() =>
          callApi(page, (cts, id) => cts.loop.status({ projectId: id }), projectId).then(
            (s) => s.threshold,
          ),
        )
        .toBe(3)
      const status = await callApi(page, (cts, id) => cts.loop.status({ projectId: id }), projectId)
      expect(status.enabled).toBe(true)
      expect(status.audit.sampleSize).toBeGreaterThanOrEqual(3)
    })

    it('labels with the keyboard until the model retrains, then accepts its suggestion by key', async () => {
      await page.click('[data-testid=text-card]')
      expect(await page.getAttribute('[data-testid=queue-reason]', 'data-order')).toMatch(
        /^(sequential|audit)$/,
      )
      for (let i = 0; i < 3; i++) await press(page, await rightKey(page, labels))
      await page.locator('[data-testid=loop-trained-on]').waitFor({ timeout: 60_000 })
      // Audit texts never show a suggestion (it would anchor the label that measures the model).
      for (let i = 0; i < 10; i++) {
        const id = await currentTextId(page)
        const shown = page.locator(
          `[data-testid=suggestion][data-text-id="${id}"], [data-testid=no-suggestion][data-text-id="${id}"]`,
        )
        await shown.first().waitFor()
        if ((await shown.first().getAttribute('data-testid')) === 'suggestion') break
        await press(page, await rightKey(page, labels))
      }
      await page.locator('[data-testid=suggestion]').waitFor()
      const trainedOn = await text(page, '[data-testid=loop-trained-on]')
      expect(trainedOn).toMatch(say.trainedOn)
      firstModelLabels = Number(/\d+/.exec(trainedOn)![0])
      expect(await page.isVisible('[data-testid=key-accept-suggestion]')).toBe(true)
      await shot('01-suggestion')

      const suggested = (await page.getAttribute('[data-testid=suggestion]', 'data-label-ids'))!
      const accepted = await press(page, 'a')
      const saved = await callApi(page, (cts, id) => cts.texts.get({ textId: id }), accepted)
      expect(saved.labelIds).toEqual(suggested.split(',').map(Number))
      await expect
        .poll(() =>
          callApi(page, (cts, id) => cts.loop.status({ projectId: id }), projectId).then(
            (s) => s.suggestionAgreement.compared,
          ),
        )
        .toBeGreaterThanOrEqual(1)
    })

    it('switches the queue order to uncertainty and says why each text came next', async () => {
      await page.selectOption('[data-testid=queue-order]', 'uncertainty')
      await page.click('[data-testid=text-card]')
      const seen = new Set<string>()
      for (let i = 0; i < 9 && seen.size < 2; i++) {
        await page.locator('[data-testid=queue-reason]').waitFor()
        const order = (await page.getAttribute('[data-testid=queue-reason]', 'data-order'))!
        expect(order).toMatch(/^(uncertainty|audit)$/)
        const line = await text(page, '[data-testid=queue-reason]')
        expect(line).toMatch(order === 'audit' ? say.audit : say.uncertain)
        if (!seen.has(order)) await shot(`02-reason-${order}`)
        seen.add(order)
        await press(page, await rightKey(page, labels))
      }
      expect([...seen].sort()).toEqual(['audit', 'uncertainty'])
    })

    it('shows the estimate on the audit texts only, and updates it as audit texts are labelled', async () => {
      await page.locator('[data-testid=audit-estimate][data-n]:not([data-n="0"])').waitFor({
        timeout: 60_000,
      })
      const before = await auditCount(page)
      expect(await text(page, '[data-testid=audit-estimate] .estimate')).toMatch(say.estimate)
      for (let i = 0; i < 9 && (await auditCount(page)) === before; i++) {
        const audit =
          (await page.getAttribute('[data-testid=queue-reason]', 'data-order')) === 'audit'
        await press(page, await rightKey(page, labels))
        if (audit) {
          await page
            .locator(`[data-testid=audit-estimate]:not([data-n="${before}"])`)
            .waitFor({ timeout: 60_000 })
        }
      }
      // Labelling paused: the model retrains on the labels since, never on the audit texts.
      await expect
        .poll(async () => Number(/\d+/.exec(await text(page, '[data-testid=loop-state]'))?.[0]), {
          timeout: 30_000,
        })
        .toBeGreaterThan(firstModelLabels)
      const after = await auditCount(page)
      expect(after).toBeGreaterThan(before)
      const shown = say.estimate.exec(await text(page, '[data-testid=audit-estimate] .estimate'))
      expect(Number(shown?.[1])).toBe(after)
      await shot('03-audit-estimate')
    })

    it('reviews the labels, finds the planted wrong one and relabels it by key', async () => {
      await page.click('[data-testid=tab-review]')
      await page.locator('[data-testid=review-list]').waitFor({ timeout: 60_000 })
      const item = page.locator('[data-testid=review-item]', { hasText: PLANTED })
      await item.waitFor()
      const disease = labels.find((l) => l.name === '疾病')!
      const cell = async (testId: string) =>
        ((await item.locator(`[data-testid=${testId}]`).textContent()) ?? '')
          .replace(/\s+/g, ' ')
          .trim()
      expect(await cell('review-given')).toMatch(
        locale === 'en' ? /^健康 ?model: \d+%$/ : /^健康 ?模型：\d+%$/,
      )
      expect(await cell('review-predicted')).toMatch(/^疾病 ?\d+%$/)
      await shot('04-review')
      await item.click()
      await page.keyboard.press('r')
      await item.locator('[data-testid=review-outcome]').waitFor()
      const textId = Number(await item.getAttribute('data-text-id'))
      const fixed = await callApi(page, (cts, id) => cts.texts.get({ textId: id }), textId)
      expect(fixed.labelIds).toEqual([disease.id])
      await shot('05-review-fixed')
    })
  })
}
