// The model loop through the real UI in 简体中文: import the bilingual sample, label a few texts,
// train the baseline, check the evaluation equals 'runs/evaluation', predict a Chinese text, export
// the report in Chinese, and cancel a running MiniLM job. Screenshots of every screen in zh-CN.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { callApi, FIXTURES, screenshot } from './app-harness'
import {
  createProjectWithSample,
  expectEvaluationMatches,
  exportHtmlReport,
  labelSome,
  screenshotTall,
  useAppIn,
  waitForTraining,
} from './model-flow'

const page = useAppIn('zh-CN')

describe('train, evaluate, predict and report (zh-CN)', () => {
  let projectId = 0
  let runId = 0

  it('imports the sample, labels a few texts and shows the Chinese train form', async () => {
    projectId = await createProjectWithSample(page, '症状分诊')
    expect(await labelSome(page, 2)).toHaveLength(2)
    expect((await page.textContent('[data-testid=tab-train]'))?.trim()).toBe('训练')
    await page.click('[data-testid=tab-train]')
    await page.locator('[data-testid=train-form][data-ready=true]').waitFor()
    // Auto is the default recipe; the baseline chosen by name makes a manual run (issue #10).
    expect(await page.inputValue('[data-testid=hp-recipe]')).toBe('auto')
    await page.check('[data-testid=model-baseline]')
    expect(await page.inputValue('[data-testid=hp-recipe]')).toBe('manual')
    expect(await page.textContent('[data-testid=model-explain]')).toContain('适用于中文')
    const defaults = await callApi(page, (cts) => cts.training.defaults({}), null)
    // The one-line explanations come from the backend, in the UI language.
    await page.getByText(defaults.help.maxLength['zh-CN'], { exact: true }).waitFor()
    // The baseline is fitted to convergence: no epochs, batch size or learning rate to set.
    expect(await page.isChecked('[data-testid=model-baseline]')).toBe(true)
    expect(await page.textContent('[data-testid=baseline-fit-note]')).toContain('收敛')
    expect(await page.locator('[data-testid=hp-lr]').count()).toBe(0)
    expect(await page.locator('[data-testid=hp-batch]').count()).toBe(0)
    expect(await page.inputValue('[data-testid=hp-maxlen]')).toBe(
      String(defaults.baseline.maxLength),
    )
    await screenshot(page, '30-train-form-zh-CN')
  })

  it('trains the baseline and shows the evaluation', async () => {
    await page.click('[data-testid=train-start]')
    expect(await waitForTraining(page, 90_000)).toBe('success')
    expect((await page.textContent('[data-testid=train-phase]'))?.trim()).toBe('已完成')
    await screenshot(page, '31-train-done-zh-CN')
    const runs = await callApi(page, (cts, id) => cts.runs.list({ projectId: id }), projectId)
    runId = runs[0]!.id
    const defaults = await callApi(page, (cts) => cts.training.defaults({}), null)
    // A baseline run records only the settings its fit uses, and how it was fitted.
    expect(runs[0]!.config).toMatchObject({
      model: 'baseline',
      maxLength: defaults.baseline.maxLength,
    })
    expect(String(runs[0]!.config.fit)).toContain('L-BFGS')
    expect(runs[0]!.config).not.toHaveProperty('learningRate')
    await page.click('[data-testid=view-run]')
    await expectEvaluationMatches(page, runId)
    expect((await page.textContent('[data-testid=evaluation-title]'))?.trim()).toBe(
      `运行 ${runId} 的评估`,
    )
    await screenshotTall(page, '32-evaluation-zh-CN')
  })

  it('exports the report in Chinese', async () => {
    expect(await exportHtmlReport(page)).toMatch(/[\u4e00-\u9fff]{4}/)
  })

  it('predicts a Chinese text and a whole file as Excel', async () => {
    await page.click('[data-testid=tab-predict]')
    const text = '持续高热三天，伴咳嗽、胸痛'
    await page.fill('[data-testid=predict-text]', text)
    await page.click('[data-testid=predict-submit]')
    await page.locator('[data-testid=prediction]').waitFor()
    const api = await callApi(page, (cts, a) => cts.predict.text(a), { runId, text })
    expect(await page.getAttribute('[data-testid=predicted-label]', 'data-label')).toBe(api.label)
    expect(await page.textContent('[data-testid=attribution-text]')).toBe(text)
    await screenshot(page, '33-predict-zh-CN')

    // A whole file as Excel: the download is an XLSX (a zip) named after the run.
    await page.setInputFiles(
      '[data-testid=predict-file-input]',
      join(FIXTURES, 'predict-small.csv'),
    )
    await page.selectOption('[data-testid=predict-format]', 'xlsx')
    await page.click('[data-testid=predict-file-start]')
    await page.locator('[data-testid=predict-file-done]').waitFor({ timeout: 60_000 })
    expect((await page.textContent('[data-testid=predict-file-done] span'))?.trim()).toBe(
      '已预测 6 行。',
    )
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=predict-download]'),
    ])
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/)
    expect((await readFile(await xlsx.path())).subarray(0, 2).toString('latin1')).toBe('PK')
  })

  it('finds a running MiniLM job again after a reload, cancels it and lists it as cancelled', async () => {
    await page.click('[data-testid=tab-train]')
    await page.check('[data-testid=model-default]')
    await page.click('[data-testid=train-start]')
    await page.locator('[data-testid=train-cancel]').waitFor()
    // A reloaded window links the running job back to its run (its progress names the run).
    await page.reload()
    await page.locator('[data-testid=train-progress][data-status=running]').waitFor()
    await page.click('[data-testid=train-cancel]')
    expect(await waitForTraining(page, 60_000)).toBe('cancelled')
    await page.click('[data-testid=tab-runs]')
    await page.locator('[data-testid=run-row]').nth(1).waitFor()
    const statuses = await page.$$eval('[data-testid=run-status]', (els) =>
      els.map((el) => el.textContent?.trim()),
    )
    expect(statuses).toEqual(['已取消', '已完成'])
    await screenshot(page, '34-runs-zh-CN')
  })
})
