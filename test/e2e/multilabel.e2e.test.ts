// Multi-label labelling in the real UI: a project with the clinician's own labels, the file's
// label column left unmapped, keys toggling several labels before Enter or → commits them.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { callApi, FIXTURES, openApp, screenshot, type AppSession } from './app-harness'

let app: AppSession
let page: Page

beforeAll(async () => {
  app = await openApp()
  page = app.page
})
afterAll(async () => {
  await app?.close()
})

async function currentTextId(): Promise<number> {
  return Number(await page.getAttribute('[data-testid=current-text]', 'data-text-id'))
}

describe('multi-label labelling', () => {
  it('creates a multi-label project with its own labels and imports texts without labels', async () => {
    await page.click('[data-testid=new-project]')
    await page.fill('[data-testid=project-name]', '症状标注 Symptoms')
    await page.check('[data-testid=kind-multilabel]')
    // Too few labels: the dialog says so and creates nothing.
    await page.fill('[data-testid=project-labels]', '发热 fever')
    await page.click('[data-testid=create-submit]')
    await page.getByText('Enter at least two different labels.').waitFor()

    await page.fill('[data-testid=project-labels]', '发热 fever\n咳嗽 cough\n头痛 headache\n')
    await screenshot(page, '09-create-project-multilabel')
    await page.click('[data-testid=create-submit]')
    await page.locator('[data-testid=import]').waitFor()

    await page.click('[data-testid=import]')
    await page.setInputFiles('[data-testid=import-file]', join(FIXTURES, 'symptoms-small.csv'))
    await page.locator('[data-testid=import-preview]').waitFor()
    await page.selectOption('[data-testid=map-label]', { index: 0 })
    await page.click('[data-testid=import-submit]')
    await page.locator('[data-testid=import-result]').waitFor()
    expect(await page.textContent('[data-testid=result-imported]')).toBe('20')
    await page.click('[data-testid=import-done]')
  })

  it('toggles labels with 1–9 and commits them with Enter or →', async () => {
    await page.click('[data-testid=tab-label]')
    await page.locator('[data-testid=current-text]').waitFor()
    await page.click('[data-testid=text-card]')
    await page.getByText('Choose all labels that apply, then press Enter.').waitFor()
    const projectId = Number(/projects\/(\d+)/.exec(page.url())![1])
    const project = await callApi(page, (cts, id) => cts.projects.get({ projectId: id }), projectId)
    expect(project.labels.map((l) => l.name)).toEqual(['发热 fever', '咳嗽 cough', '头痛 headache'])
    const id = (position: number) => project.labels[position - 1]!.id

    const first = await currentTextId()
    await page.keyboard.press('1')
    await page.keyboard.press('3')
    await page.keyboard.press('2')
    await page.keyboard.press('2')
    expect(await page.getAttribute('[data-testid=label-1]', 'aria-pressed')).toBe('true')
    expect(await page.getAttribute('[data-testid=label-2]', 'aria-pressed')).toBe('false')
    expect(await page.getAttribute('[data-testid=label-3]', 'aria-pressed')).toBe('true')
    await screenshot(page, '08-labelling-multilabel')
    // Nothing is saved until the choice is accepted.
    expect((await callApi(page, (cts, t) => cts.texts.get({ textId: t }), first)).labelIds).toEqual(
      [],
    )

    await page.keyboard.press('Enter')
    await page.locator(`[data-testid=current-text]:not([data-text-id="${first}"])`).waitFor()
    expect(await page.getAttribute('[data-testid=save-status]', 'data-state')).toBe('saved')
    const second = await currentTextId()
    await page.keyboard.press('2')
    await page.keyboard.press('ArrowRight')
    await page.locator(`[data-testid=current-text]:not([data-text-id="${second}"])`).waitFor()
    const third = await currentTextId()
    await page.keyboard.press('s')
    await page.locator(`[data-testid=current-text]:not([data-text-id="${third}"])`).waitFor()

    const get = (t: number) => callApi(page, (cts, x) => cts.texts.get({ textId: x }), t)
    expect([...(await get(first)).labelIds].sort((a, b) => a - b)).toEqual([id(1), id(3)])
    expect((await get(second)).labelIds).toEqual([id(2)])
    expect((await get(third)).labelIds).toEqual([])
    expect((await page.textContent('[data-testid=progress]'))?.trim()).toBe('2 of 20 labelled')
    const counts = [1, 2, 3].map((p) => page.textContent(`[data-testid=count-${p}] .n`))
    expect(await Promise.all(counts)).toEqual(['1', '1', '1'])
  })

  it('shows a failed save and stays on the text', async () => {
    const projectId = Number(/projects\/(\d+)/.exec(page.url())![1])
    const textId = await currentTextId()
    // The project disappears (e.g. deleted in another window) while a text is open.
    await callApi(
      page,
      (cts, id) => cts.projects.delete({ projectId: id, confirmName: '症状标注 Symptoms' }),
      projectId,
    )
    await page.keyboard.press('1')
    await page.getByText('Not saved yet — press Enter').waitFor()
    await page.keyboard.press('Enter')
    await page.locator('[data-testid=save-error]').waitFor()
    expect(await page.textContent('[data-testid=save-error]')).toMatch(/^\s*Not saved: \S/)
    expect(await page.getAttribute('[data-testid=save-status]', 'data-state')).toBe('error')
    expect(await currentTextId()).toBe(textId)
  })

  it('logged no console error and no CSP violation', () => {
    expect(app.errors).toEqual([])
  })
})
