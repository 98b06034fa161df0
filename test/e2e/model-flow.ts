// Shared steps of the model e2e tests (train → evaluate → predict → report): open the app in a
// language, set up a project from the bilingual sample through the real UI, and read what the
// evaluation view shows.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import type { Page } from 'playwright-core'
import type { EvaluationViewDto } from '../../preload/contract'
import { callApi, openApp, screenshot, type AppSession } from './app-harness'

export const SAMPLE = fileURLToPath(
  new URL('../../resources/samples/symptoms-zh-en.csv', import.meta.url),
)

/**
 * Opens the app in `locale` before the file's tests and closes it after them; every test must
 * leave the page without errors. Call at the top of a test file: it returns a stand-in for the
 * page that reads every property from the live one, so tests use it like the page itself.
 */
export function useAppIn(locale: 'en' | 'zh-CN'): Page {
  let app: AppSession | undefined
  beforeAll(async () => {
    app = await openApp()
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
      if (!app) throw new Error('The app is not open yet: useAppIn opens it in beforeAll.')
      const value: unknown = Reflect.get(app.page, key)
      return typeof value === 'function' ? value.bind(app.page) : value
    },
  })
}

/** Creates a binary project and imports the 160-row sample with its labels and patient ids. */
export async function createProjectWithSample(page: Page, name: string): Promise<number> {
  await page.click('[data-testid=new-project]')
  await page.fill('[data-testid=project-name]', name)
  await page.click('[data-testid=create-submit]')
  await page.locator('[data-testid=project-title]').waitFor()
  const projectId = Number(/projects\/(\d+)/.exec(page.url())![1])
  await page.click('[data-testid=import]')
  await page.setInputFiles('[data-testid=import-file]', SAMPLE)
  await page.locator('[data-testid=import-preview]').waitFor()
  expect(await page.inputValue('[data-testid=map-label]')).toBe('label')
  expect(await page.inputValue('[data-testid=map-group]')).toBe('patient_id')
  await page.click('[data-testid=import-submit]')
  await page.locator('[data-testid=import-result]').waitFor()
  expect(await page.textContent('[data-testid=result-imported]')).toBe('160')
  await page.click('[data-testid=import-done]')
  return projectId
}

/**
 * Labels `count` texts in the labelling view with the keyboard, choosing for each the label it
 * already has (the sample comes labelled), and returns the ids of the texts labelled.
 */
export async function labelSome(page: Page, count: number): Promise<number[]> {
  await page.click('[data-testid=tab-label]')
  await page.locator('[data-testid=unlabelled-only]').waitFor()
  if (await page.isChecked('[data-testid=unlabelled-only]')) {
    await page.uncheck('[data-testid=unlabelled-only]')
  }
  await page.locator('[data-testid=current-text]').waitFor()
  await page.click('[data-testid=text-card]')
  const done: number[] = []
  for (let i = 0; i < count; i++) {
    const id = Number(await page.getAttribute('[data-testid=current-text]', 'data-text-id'))
    const key = await page.$$eval('[data-testid^=label-]', (els) =>
      els.find((el) => el.getAttribute('aria-pressed') === 'true')?.getAttribute('data-testid'),
    )
    await page.keyboard.press(key?.replace('label-', '') ?? '1')
    await page.locator(`[data-testid=current-text]:not([data-text-id="${id}"])`).waitFor()
    expect(await page.getAttribute('[data-testid=save-status]', 'data-state')).toBe('saved')
    done.push(id)
  }
  return done
}

/** Waits until the train tab's progress panel shows the job ended, and returns its status. */
export async function waitForTraining(page: Page, timeout: number): Promise<string> {
  await page.locator('[data-testid=train-progress]:not([data-status=running])').waitFor({ timeout })
  return (await page.getAttribute('[data-testid=train-progress]', 'data-status')) ?? ''
}

/** Exports the evaluation's report as HTML, checks it is a whole document, and returns it. */
export async function exportHtmlReport(page: Page): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=report-html]'),
  ])
  const body = (await readFile(await download.path())).toString('utf8')
  expect(body).toMatch(/^<!doctype html>/i)
  await page.locator('[data-testid=export-note]').waitFor()
  return body
}

const f3 = (v: number) => v.toFixed(3)

/** Asserts that every figure of the evaluation view equals 'runs/evaluation' for the run. */
export async function expectEvaluationMatches(
  page: Page,
  runId: number,
): Promise<EvaluationViewDto> {
  const ev = await callApi(page, (cts, id) => cts.runs.evaluation({ runId: id }), runId)
  await page.locator('[data-testid=classification-report]').waitFor()
  expect(await page.textContent('[data-testid=sum-accuracy]')).toBe(f3(ev.report.accuracy))
  expect(await page.textContent('[data-testid=sum-macro-f1]')).toBe(f3(ev.report.macro.f1))
  expect(await page.textContent('[data-testid=sum-weighted-f1]')).toBe(f3(ev.report.weighted.f1))
  expect(await page.textContent('[data-testid=sum-ece]')).toBe(f3(ev.calibration.ece))
  const rows = [
    ...ev.report.perClass.map((r) => [r.label, r] as const),
    ['macro', ev.report.macro] as const,
    ['weighted', ev.report.weighted] as const,
  ]
  for (const [key, r] of rows) {
    const cells = await page.$$eval(`[data-testid=report-row][data-row="${key}"] td`, (tds) =>
      tds.map((td) => td.textContent?.trim()),
    )
    expect(cells).toEqual([f3(r.precision), f3(r.recall), f3(r.f1), r.support.toLocaleString('en')])
  }
  for (let i = 0; i < ev.confusion.counts.length; i++) {
    for (let j = 0; j < ev.confusion.counts[i]!.length; j++) {
      expect((await page.textContent(`[data-testid=cm-${i}-${j}]`))?.trim()).toBe(
        String(ev.confusion.counts[i]![j]),
      )
    }
  }
  const ci = await page.$$eval('[data-testid=ci-macro-f1] td', (tds) =>
    tds.map((td) => td.textContent?.trim()),
  )
  const m = ev.intervals.macroF1
  expect(ci).toEqual([f3(m.estimate), `${f3(m.lower)} – ${f3(m.upper)}`])
  if (ev.operatingPoint) {
    const p = ev.operatingPoint.point
    expect(await page.textContent('[data-testid=op-threshold]')).toBe(f3(p.threshold))
    expect(await page.textContent('[data-testid=op-sensitivity]')).toBe(
      `${(p.sensitivity * 100).toFixed(1)}%`,
    )
    expect(await page.textContent('[data-testid=op-specificity]')).toBe(
      `${(p.specificity * 100).toFixed(1)}%`,
    )
  }
  expect(await page.locator('[data-testid=misclassified-row]').count()).toBe(
    Math.min(ev.misclassified.length, 20),
  )
  return ev
}

/** A screenshot of a long page: the window is made tall enough for all of it, then restored. */
export async function screenshotTall(page: Page, name: string): Promise<void> {
  // A string expression: it runs in the page, and this Node-typed file has no DOM types.
  const height = Number(
    await page.evaluate(`(document.querySelector('.content')?.scrollHeight ?? 800) + 56`),
  )
  await page.setViewportSize({ width: 1280, height: Math.min(6000, Math.max(800, height)) })
  await screenshot(page, name)
  await page.setViewportSize({ width: 1280, height: 800 })
}
