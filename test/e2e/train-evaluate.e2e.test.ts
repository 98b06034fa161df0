// The model loop through the real UI in English: import the bilingual sample, label a few texts,
// train the baseline with live progress, check the evaluation view shows exactly what
// 'runs/evaluation' returns, relabel a mistake, predict a text and a file, export the report
// (HTML and PDF), train a small MiniLM run while labelling goes on, crash its job process and
// resume it, compare and delete runs.
import { execFileSync } from 'node:child_process'
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

const page = useAppIn('en')

/** Kills this test's job processes (children running the job entry), as a crash would. */
function killJobProcesses(): void {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).toString()
  const pids = out
    .split('\n')
    .filter((line) => line.includes('job-entry'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
  expect(pids.length).toBeGreaterThan(0)
  for (const pid of pids) process.kill(pid, 'SIGKILL')
}

describe('train, evaluate, predict and report (en)', () => {
  let projectId = 0
  let baselineRun = 0
  let bertRun = 0

  it('imports the sample and labels a few texts', async () => {
    projectId = await createProjectWithSample(page, 'Symptom triage')
    const labelled = await labelSome(page, 3)
    expect(new Set(labelled).size).toBe(3)
  })

  it('shows the train form with the defaults and their explanations', async () => {
    await page.click('[data-testid=tab-train]')
    await page.locator('[data-testid=train-form][data-ready=true]').waitFor()
    const defaults = await callApi(page, (cts) => cts.training.defaults({}), null)
    await page.check('[data-testid=model-default]')
    expect(await page.inputValue('[data-testid=hp-lr]')).toBe(String(defaults.bert.learningRate))
    expect(await page.inputValue('[data-testid=hp-batch]')).toBe(String(defaults.bert.batchSize))
    expect(await page.inputValue('[data-testid=hp-epochs]')).toBe(String(defaults.bert.epochs))
    expect(await page.inputValue('[data-testid=hp-maxlen]')).toBe(String(defaults.bert.maxLength))
    expect(defaults.bert).toMatchObject({
      learningRate: 2e-5,
      batchSize: 16,
      epochs: 5,
      maxLength: 128,
    })
    expect(await page.textContent('[data-testid=model-explain]')).toContain('English')
    // 'default' follows the texts: 21% of the sample's characters are Chinese (< 30%), so MiniLM.
    const note = page.locator('[data-testid=default-model-note]')
    await note.waitFor()
    expect(await note.getAttribute('data-rule')).toBe('not-chinese')
    expect(await note.getAttribute('data-model')).toBe('all-MiniLM-L6-v2')
    await page.check('[data-testid=model-baseline]')
    expect(await page.textContent('[data-testid=model-explain]')).toContain('Chinese')
    expect(await page.textContent('[data-testid=baseline-fit-note]')).toContain('convergence')
    expect(await page.locator('[data-testid=hp-lr]').count()).toBe(0)
    await screenshot(page, '20-train-form')
  })

  it('trains the baseline with live progress', async () => {
    await page.selectOption('[data-testid=hp-split]', 'grouped')
    await page.click('[data-testid=train-start]')
    await page.locator('[data-testid=train-progress]').waitFor()
    expect(await waitForTraining(page, 90_000)).toBe('success')
    // Fitted, not trained by epoch: no loss curve, a note saying why, and the dev macro-F1.
    await page.locator('[data-testid=baseline-no-curve]').waitFor()
    await page.locator('[data-testid=devf1-chart]').waitFor()
    await screenshot(page, '21-train-baseline-done')
    const runs = await callApi(page, (cts, id) => cts.runs.list({ projectId: id }), projectId)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ status: 'success', modelKind: 'baseline' })
    expect(runs[0]!.config).toMatchObject({ split: 'grouped' })
    baselineRun = runs[0]!.id
  })

  it('shows an evaluation equal to runs/evaluation', async () => {
    await page.click('[data-testid=view-run]')
    await page.locator('[data-testid=evaluation-title]').waitFor()
    const ev = await expectEvaluationMatches(page, baselineRun)
    expect(ev.total).toBeGreaterThan(0)
    await page.click('[data-testid=cm-normalised]')
    const row0 = ev.confusion.rowNormalised[0]!
    expect((await page.textContent('[data-testid=cm-0-0]'))?.trim()).toBe(
      `${(row0[0]! * 100).toFixed(1)}%`,
    )
    await screenshotTall(page, '22-evaluation')

    // The operating point follows the slider and the prevalence the user enters.
    await page.fill('[data-testid=op-prevalence]', '5')
    await page.locator('[data-testid=op-slider]').fill('100')
    const expected = await callApi(
      page,
      (cts, id) => cts.runs.evaluation({ runId: id, prevalence: 0.05, targetSensitivity: 1 }),
      baselineRun,
    )
    const point = expected.operatingPoint!.point
    await page
      .locator(
        `[data-testid=op-ppv]:text-is("${point.ppv === null ? '—' : `${(point.ppv * 100).toFixed(1)}%`}")`,
      )
      .waitFor()
    expect(await page.textContent('[data-testid=op-threshold]')).toBe(point.threshold.toFixed(3))
    expect(await page.textContent('[data-testid=op-sensitivity]')).toBe('100.0%')

    // One click relabels a misclassified text through 'labels/set'.
    if (ev.misclassified.length > 0) {
      const first = ev.misclassified[0]!
      await page.locator('[data-testid=misclassified-row] [data-testid=relabel]').first().click()
      await page.locator('[data-testid=relabelled]').first().waitFor()
      const text = await callApi(page, (cts, id) => cts.texts.get({ textId: id }), first.textId!)
      const project = await callApi(
        page,
        (cts, id) => cts.projects.get({ projectId: id }),
        projectId,
      )
      const predicted = project.labels.find((l) => l.name === first.predictedLabel)!
      expect(text.labelIds).toEqual([predicted.id])
    }
  })

  it('exports the report as HTML and PDF', async () => {
    expect(await exportHtmlReport(page)).toContain(`${baselineRun}`)
    const pdf = await Promise.race([
      Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        page.click('[data-testid=report-pdf]'),
      ]).then(([d]) => d),
      page
        .locator('[data-testid=export-error]')
        .waitFor({ timeout: 60_000 })
        .then(() => null),
    ])
    if (pdf) {
      expect((await readFile(await pdf.path())).subarray(0, 5).toString('latin1')).toBe('%PDF-')
    } else {
      // Printing needs Electron or Chromium on the server side; the message must say so.
      expect(await page.textContent('[data-testid=export-error]')).toMatch(/PDF/)
    }
    await screenshot(page, '23-evaluation-top')
  })

  it('predicts one text with probabilities and highlighted tokens', async () => {
    await page.click('[data-testid=tab-predict]')
    await page.fill('[data-testid=predict-text]', '持续高热三天，伴咳嗽 and chest pain')
    await page.click('[data-testid=predict-submit]')
    await page.locator('[data-testid=prediction]').waitFor()
    const shown = await page.getAttribute('[data-testid=predicted-label]', 'data-label')
    const api = await callApi(
      page,
      (cts, id) => cts.predict.text({ runId: id, text: '持续高热三天，伴咳嗽 and chest pain' }),
      baselineRun,
    )
    expect(shown).toBe(api.label)
    const probs = await page.$$eval('[data-testid=probability]', (els) =>
      els.map((el) => [el.getAttribute('data-label'), Number(el.getAttribute('data-p'))]),
    )
    expect(Object.fromEntries(probs)).toEqual(
      Object.fromEntries(api.probabilities.map((p) => [p.label, p.p])),
    )
    expect(await page.locator('[data-testid=token]').count()).toBeGreaterThan(0)
    expect(await page.textContent('[data-testid=attribution-text]')).toBe(
      '持续高热三天，伴咳嗽 and chest pain',
    )
    await screenshot(page, '24-predict-text')
  })

  it('predicts a whole file into a CSV download', async () => {
    await page.setInputFiles(
      '[data-testid=predict-file-input]',
      join(FIXTURES, 'predict-small.csv'),
    )
    await page.click('[data-testid=predict-file-start]')
    await page.locator('[data-testid=predict-file-done]').waitFor({ timeout: 60_000 })
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=predict-download]'),
    ])
    const csv = (await readFile(await download.path())).toString('utf8').replace(/^\uFEFF/, '')
    const lines = csv.trim().split(/\r?\n/)
    expect(lines).toHaveLength(7)
    // One probability column per label after the text and the predicted label.
    expect(lines[0]!.split(',').slice(-2)).toEqual(['p_健康', 'p_疾病'])
    for (const line of lines.slice(1)) expect(line).toMatch(/,(健康|疾病),0\.\d+,0\.\d+$/)
    await screenshot(page, '25-predict-file')
  })

  it('keeps labelling while a small MiniLM run trains, and resumes it after a crash', async () => {
    await page.click('[data-testid=tab-train]')
    await page.locator('[data-testid=train-form][data-ready=true]').waitFor()
    await page.check('[data-testid=model-default]')
    await page.fill('[data-testid=hp-epochs]', '2')
    await page.fill('[data-testid=hp-maxlen]', '32')
    await page.click('[data-testid=train-start]')
    await page.locator('[data-testid=train-progress][data-status=running]').waitFor()
    const started = Date.now()
    // Label while the job runs in its own process: every label is saved at once.
    const labelled = await labelSome(page, 3)
    const running = await callApi(page, (cts) => cts.jobs.list({}), null)
    expect(running.some((j) => j.kind === 'train' && j.status === 'running')).toBe(true)
    expect(labelled).toHaveLength(3)
    await page.click('[data-testid=tab-train]')
    await page.locator('[data-testid=loss-chart]').waitFor({ timeout: 120_000 })
    await screenshot(page, '26-train-minilm-progress')

    // After the first epoch's checkpoint, the job process dies; the run can be resumed.
    await page.locator('[data-testid=devf1-chart]').waitFor({ timeout: 120_000 })
    const runs = await callApi(page, (cts, id) => cts.runs.list({ projectId: id }), projectId)
    bertRun = runs.find((r) => r.modelKind === 'bert')!.id
    killJobProcesses()
    expect(await waitForTraining(page, 30_000)).toBe('error')
    const crashed = await callApi(page, (cts, id) => cts.runs.get({ runId: id }), bertRun)
    expect(crashed.error?.code).toBe('job-crashed')
    await screenshot(page, '26b-train-crashed')
    await page.click(`[data-testid=resume-${bertRun}]`)
    await page.locator('[data-testid=train-progress][data-status=running]').waitFor()
    expect(await waitForTraining(page, 240_000)).toBe('success')
    console.log(
      `MiniLM run (2 epochs, max length 32, crash + resume): ${((Date.now() - started) / 1000).toFixed(0)} s`,
    )
    const done = await callApi(page, (cts, id) => cts.runs.get({ runId: id }), bertRun)
    expect(done.status).toBe('success')
    expect(done.epochs.map((e) => e.epoch)).toEqual([1, 2])
  }, 300_000)

  it('compares the two runs and deletes one only after confirmation', async () => {
    await page.click('[data-testid=tab-runs]')
    await page.locator('[data-testid=run-row]').nth(1).waitFor()
    await screenshot(page, '27-runs')
    await page.check(`[data-testid=select-${baselineRun}]`)
    await page.check(`[data-testid=select-${bertRun}]`)
    await page.click('[data-testid=compare]')
    await page.locator('[data-testid=compare-table]').waitFor()
    const cmp = await callApi(
      page,
      (cts, ids) => cts.runs.compare({ runIds: ids }),
      [baselineRun, bertRun].sort((a, b) => a - b),
    )
    const cells = await page.$$eval('[data-testid=cmp-macro_f1] td', (tds) =>
      tds.map((td) => td.textContent?.trim()),
    )
    const d = cmp.differences[1]!.macro_f1
    expect(cells).toEqual([
      ...cmp.metrics.map((m) => m.macro_f1.toFixed(3)),
      `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(3)}`,
    ])
    await screenshot(page, '28-runs-compare')
    await page.keyboard.press('Escape')

    await page.click(`[data-testid=delete-${bertRun}]`)
    await page.locator('[data-testid=confirm-delete]').waitFor()
    await screenshot(page, '29-run-delete-confirm')
    await page.keyboard.press('Escape')
    expect(await page.locator('[data-testid=run-row]').count()).toBe(2)
    await page.click(`[data-testid=delete-${bertRun}]`)
    await page.click('[data-testid=confirm-delete]')
    await page.locator('[data-testid=run-row]').nth(1).waitFor({ state: 'detached' })
    const left = await callApi(page, (cts, id) => cts.runs.list({ projectId: id }), projectId)
    expect(left.map((r) => r.id)).toEqual([baselineRun])
  })
})
