// The clinician's path through the real UI: create a binary project, import a bilingual CSV,
// label ten texts with the keyboard (with an undo and a redo), reload, find every label kept,
// switch to 简体中文. Fails on any console error, CSP violations included.
import { readFile } from 'node:fs/promises'
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

async function waitForText(notId: number): Promise<number> {
  await page.locator(`[data-testid=current-text]:not([data-text-id="${notId}"])`).waitFor()
  return currentTextId()
}

async function pressed(position: number): Promise<string | null> {
  return page.getAttribute(`[data-testid=label-${position}]`, 'aria-pressed')
}

describe('labelling a project end to end', () => {
  // Keys pressed for the ten texts (1 = 健康, 2 = 疾病) and the text each one labelled.
  const keys = ['2', '1', '2', '2', '1', '1', '2', '1', '2', '1']
  const labelled: { textId: number; key: string }[] = []
  let projectId = 0

  it('creates a binary project from the projects page', async () => {
    await page.getByText('No projects yet').waitFor()
    await screenshot(page, '00-projects-empty')
    await page.click('[data-testid=new-project]')
    await page.fill('[data-testid=project-name]', 'Symptom triage 症状分诊')
    expect(await page.isChecked('[data-testid=kind-binary]')).toBe(true)
    await page.click('[data-testid=create-submit]')
    await page.getByText('No texts yet — import a CSV, Excel, JSONL or TXT file.').waitFor()
    expect(await page.textContent('[data-testid=project-title]')).toBe('Symptom triage 症状分诊')
    projectId = Number(/projects\/(\d+)/.exec(page.url())![1])
  })

  it('previews and imports the bilingual CSV', async () => {
    await page.click('[data-testid=import]')
    await page.setInputFiles('[data-testid=import-file]', join(FIXTURES, 'symptoms-small.csv'))
    await page.locator('[data-testid=import-preview]').waitFor()
    expect(await page.textContent('[data-testid=import-format]')).toBe('CSV')
    expect(await page.inputValue('[data-testid=map-text]')).toBe('text')
    expect(await page.inputValue('[data-testid=map-label]')).toBe('label')
    const found = await page.locator('[data-testid=labels-found] .chip').allTextContents()
    expect(found.map((s) => s.trim()).sort()).toEqual(['健康', '疾病'])
    await screenshot(page, '02-import-preview')

    await page.click('[data-testid=import-submit]')
    await page.locator('[data-testid=import-result]').waitFor()
    expect(await page.textContent('[data-testid=result-imported]')).toBe('20')
    // The fixture repeats its first text (row 22) and has a row without text (row 23).
    expect(await page.textContent('[data-testid=result-duplicates]')).toBe('1')
    expect(await page.textContent('[data-testid=result-rejected]')).toBe('1')
    expect(await page.locator('[data-testid=rejected-row]').allTextContents()).toEqual([
      expect.stringMatching(/^\s*Row 23: (?!Row )\S/),
    ])
    await screenshot(page, '03-import-result')
    await page.click('[data-testid=import-done]')

    await page.locator('[data-testid=text-row] [data-testid=row-labels]').first().waitFor()
    expect((await page.textContent('[data-testid=text-count]'))?.trim()).toBe('20 texts')
    await screenshot(page, '04-dataset-table')
  })

  it('labels ten texts with the keyboard, with an undo and a redo', async () => {
    await page.click('[data-testid=tab-label]')
    await page.locator('[data-testid=current-text]').waitFor()
    await page.locator('[data-testid=keyboard-legend]').waitFor()
    // Move focus off the tab link so keys reach the page, as after a click on the text.
    await page.click('[data-testid=text-card]')
    expect((await page.textContent('[data-testid=progress]'))?.trim()).toBe('4 of 20 labelled')

    for (let i = 0; i < keys.length; i++) {
      const textId = await currentTextId()
      await page.keyboard.press(keys[i]!)
      await waitForText(textId)
      expect(await page.getAttribute('[data-testid=save-status]', 'data-state')).toBe('saved')
      labelled.push({ textId, key: keys[i]! })

      if (i === 4) {
        // Undo brings back the fifth text without its label; redo restores it.
        const sixth = await currentTextId()
        await page.keyboard.press('Control+z')
        await page.locator(`[data-testid=current-text][data-text-id="${textId}"]`).waitFor()
        await page.getByText('Undone', { exact: true }).waitFor()
        expect(await pressed(1)).toBe('false')
        const undone = await callApi(page, (cts, id) => cts.texts.get({ textId: id }), textId)
        expect(undone.labelIds).toEqual([])

        await page.keyboard.press('Control+Shift+Z')
        await page.getByText('Redone', { exact: true }).waitFor()
        expect(await pressed(Number(keys[i]))).toBe('true')
        await page.keyboard.press('ArrowRight')
        await page.locator(`[data-testid=current-text][data-text-id="${sixth}"]`).waitFor()
      }
      if (i === 7) await screenshot(page, '05-labelling')
    }

    // ← shows the last labelled text with its label chosen.
    const eleventh = await currentTextId()
    await page.keyboard.press('ArrowLeft')
    await page
      .locator(`[data-testid=current-text][data-text-id="${labelled[9]!.textId}"]`)
      .waitFor()
    expect(await pressed(Number(labelled[9]!.key))).toBe('true')
    await page.keyboard.press('Enter')
    await page.locator(`[data-testid=current-text][data-text-id="${eleventh}"]`).waitFor()
    expect((await page.textContent('[data-testid=progress]'))?.trim()).toBe('14 of 20 labelled')
    expect(new Set(labelled.map((l) => l.textId)).size).toBe(10)
  })

  it('keeps all ten labels after a reload, in the UI and through the bridge', async () => {
    const project = await callApi(page, (cts, id) => cts.projects.get({ projectId: id }), projectId)
    const labelId = (key: string) => project.labels.find((l) => l.position === Number(key))!.id
    const nameOf = (key: string) => project.labels.find((l) => l.position === Number(key))!.name

    await page.reload()
    await page.locator('[data-testid=current-text]').waitFor()
    expect((await page.textContent('[data-testid=progress]'))?.trim()).toBe('14 of 20 labelled')

    const { rows } = await callApi(
      page,
      (cts, id) => cts.texts.list({ projectId: id, offset: 0, limit: 100 }),
      projectId,
    )
    const byId = new Map(rows.map((r) => [r.id, r]))
    for (const { textId, key } of labelled)
      expect(byId.get(textId)?.labelIds).toEqual([labelId(key)])

    await page.click('[data-testid=tab-texts]')
    await page.locator('[data-testid=text-row] [data-testid=row-labels]').first().waitFor()
    const shown = await page.$$eval('[data-testid=text-row]', (els) =>
      els.map((el): [string, string] => [
        el.querySelector('.c-text')?.textContent?.trim() ?? '',
        el.querySelector('[data-testid=row-labels]')?.textContent?.trim() ?? '',
      ]),
    )
    const labelsByText = new Map(shown)
    for (const { textId, key } of labelled) {
      expect(labelsByText.get(byId.get(textId)!.text.trim())).toBe(nameOf(key))
    }
    await page.selectOption('[data-testid=filter]', 'unlabelled')
    await page.getByText('6 texts', { exact: true }).waitFor()

    // A text in the table opens in the labelling view, with its saved label chosen.
    await page.selectOption('[data-testid=filter]', 'all')
    const first = labelled[0]!
    await page.getByText(byId.get(first.textId)!.text.trim(), { exact: true }).click()
    await page.locator(`[data-testid=current-text][data-text-id="${first.textId}"]`).waitFor()
    expect(await pressed(Number(first.key))).toBe('true')
    await page.click('[data-testid=tab-texts]')
    await page.locator('[data-testid=text-row]').first().waitFor()
  })

  it('exports the texts with their labels as a CSV download', async () => {
    await page.click('[data-testid=export]')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=export-csv]'),
    ])
    const csv = (await readFile(await download.path())).toString('utf8').replace(/^\uFEFF/, '')
    const lines = csv.trim().split(/\r?\n/)
    expect(lines).toHaveLength(21)
    expect(csv).toContain('体检结果正常，无不适主诉。')
    expect(lines.filter((l) => l.includes('疾病'))).toHaveLength(7)
    expect(lines.filter((l) => l.includes('健康'))).toHaveLength(7)
    await page.getByText(/^Exported 20 texts to /).waitFor()
  })

  it('switches to 简体中文 and remembers it', async () => {
    await page.selectOption('[data-testid=language]', 'zh-CN')
    await page.click('[data-testid=tab-label]')
    await page.locator('[data-testid=current-text]').waitFor()
    await page.click('[data-testid=text-card]')
    expect((await page.textContent('[data-testid=tab-label]'))?.trim()).toBe('标注')
    await page.getByText('选择一个标签；保存后自动打开下一条。').waitFor()
    expect((await page.textContent('[data-testid=progress]'))?.trim()).toBe('已标注 14 / 20')
    await screenshot(page, '06-labelling-zh-CN')

    await page.click('[data-testid=tab-texts]')
    await page.locator('[data-testid=text-row] [data-testid=row-labels]').first().waitFor()
    expect((await page.textContent('[data-testid=text-count]'))?.trim()).toBe('20 条文本')
    await page.click('[data-testid=export]')
    await screenshot(page, '10-dataset-zh-CN')
    await page.keyboard.press('Escape')
    await page.click('[data-testid=tab-label]')

    await page.reload()
    await page.getByText('键盘', { exact: true }).waitFor()
    await page.click('a[href="#/"]')
    await page.locator('[data-testid=projects-table]').waitFor()
    await screenshot(page, '01-projects')
  })

  it('logged no console error and no CSP violation', () => {
    expect(app.errors).toEqual([])
  })
})
