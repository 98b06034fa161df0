// The team workspace through the real UI (issue #17 points 1 and 5): a real PostgreSQL 15 (the test
// server, loopback only), an empty workspace connected through "Connect to a team workspace" in
// English and 简体中文, a project imported and a text labelled ("Saved"); then the server stops: the
// next label key says "Not saved … Reconnecting…", the top bar turns amber, never "Saved"; the
// server starts again: the bar returns to the server's name and the key again saves. The database
// holds exactly the acknowledged labels afterwards.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startTestPostgres, type TestPostgres } from '../pg/pg-server'
import { callApi, openApp, screenshot, type AppSession } from './app-harness'

const PROFILE = 'Dr Li 李'
const ROLE = 'dr_li'
const PASSWORD = 'Ward-7 病区 secret'
const DATABASE = 'ward7'
const NOTES = [
  'Patient reports chest pain radiating to the left arm, sweating and shortness of breath.',
  '患者自述头痛三天，伴恶心呕吐，夜间加重。',
  'Routine check-up, no complaints, vital signs within normal limits.',
  '体检结果正常，无不适主诉。',
]

let server: TestPostgres
let app: AppSession
let page: Page
let dir = ''
const savedCredentialsEnv = process.env.CTS_TEAM_CREDENTIALS

async function admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
  const url = new URL(server.adminUrl)
  url.pathname = `/${DATABASE}`
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    return (await client.query<T>(sql, params)).rows
  } finally {
    await client.end()
  }
}

async function text(selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim()
}

async function currentTextId(): Promise<number> {
  return Number(await page.getAttribute('[data-testid=current-text]', 'data-text-id'))
}

async function useLocale(locale: 'en' | 'zh-CN'): Promise<void> {
  await page.evaluate(`localStorage.setItem('cts.locale', '${locale}')`)
  await page.reload()
}

/** Opens "Connect to a team workspace" and fills in the server, user name and password. */
async function fillConnectForm(): Promise<void> {
  await page.click('[data-testid=team-open]')
  await page.fill('[data-testid=team-server]', `127.0.0.1:${server.port}/${DATABASE}`)
  await page.fill('[data-testid=team-user]', ROLE)
  await page.fill('[data-testid=team-password]', PASSWORD)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cts-e2e-team-'))
  // The CLI's credentials file stands in for the keychain (the bridge has no Electron safeStorage).
  process.env.CTS_TEAM_CREDENTIALS = join(dir, 'team-credentials.json')
  server = await startTestPostgres()
  // A lead's own login that owns the team database, as a hospital's DBA would set it up.
  const c = new pg.Client({ connectionString: server.adminUrl })
  await c.connect()
  try {
    await c.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD.replace(/'/g, "''")}'`)
    await c.query(`CREATE DATABASE ${DATABASE} OWNER ${ROLE}`)
  } finally {
    await c.end()
  }
  await writeFile(join(dir, 'notes.csv'), `text\n${NOTES.map((n) => `"${n}"`).join('\n')}\n`)
  app = await openApp()
  page = app.page
})
afterAll(async () => {
  await app?.close()
  await server?.stop()
  if (savedCredentialsEnv === undefined) delete process.env.CTS_TEAM_CREDENTIALS
  else process.env.CTS_TEAM_CREDENTIALS = savedCredentialsEnv
  await rm(dir, { recursive: true, force: true })
})
afterEach(() => {
  expect(app.errors).toEqual([])
})

describe('a team workspace on a real PostgreSQL server, through the UI', () => {
  let projectId = 0
  const acknowledged: { textId: number; labelName: string }[] = []

  it('shows "Connect to a team workspace" in 简体中文 and English', async () => {
    await useLocale('zh-CN')
    await fillConnectForm()
    expect(await text('[role=dialog] h2')).toBe('连接到团队工作区')
    await screenshot(page, 'team-connect-zh')
    await page.getByRole('button', { name: '取消' }).click()
    await useLocale('en')
    await fillConnectForm()
    expect(await text('[role=dialog] h2')).toBe('Connect to a team workspace')
    await screenshot(page, 'team-connect-en')
  })

  it('connects the empty workspace folder and names the server in the top bar', async () => {
    await page.click('[data-testid=team-submit]')
    // The window reloads on the team workspace; its owner chooses a profile there first.
    await page.locator('[data-testid=profile-chooser]').waitFor({ timeout: 30_000 })
    await page.fill('[data-testid=profile-name]', PROFILE)
    await page.click('[data-testid=profile-save]')
    await page.locator('[data-testid=profile-chooser]').waitFor({ state: 'detached' })
    const badge = page.locator('[data-testid=team-badge]')
    await badge.waitFor()
    expect(await badge.getAttribute('data-state')).toBe('connected')
    expect(await text('[data-testid=team-badge]')).toBe(
      `Team: 127.0.0.1:${server.port}/${DATABASE}`,
    )
    expect(await page.locator('[data-testid=team-open]').count()).toBe(0)
    const [binding] = await admin<{ n: number }>('SELECT COUNT(*)::int AS n FROM projects')
    expect(binding!.n).toBe(0)
  })

  it('creates a project, imports four bilingual notes and saves a label', async () => {
    await page.click('[data-testid=new-project]')
    await page.fill('[data-testid=project-name]', 'Discharge notes 出院小结')
    await page.click('[data-testid=create-submit]')
    await page.locator('[data-testid=project-title]').waitFor()
    projectId = Number(/projects\/(\d+)/.exec(page.url())![1])
    await page.click('[data-testid=import]')
    await page.setInputFiles('[data-testid=import-file]', join(dir, 'notes.csv'))
    await page.locator('[data-testid=import-preview]').waitFor()
    await page.click('[data-testid=import-submit]')
    await page.locator('[data-testid=import-result]').waitFor()
    expect(await page.textContent('[data-testid=result-imported]')).toBe('4')
    await page.click('[data-testid=import-done]')

    await page.click('[data-testid=tab-label]')
    await page.locator('[data-testid=current-text]').waitFor()
    await page.click('[data-testid=text-card]')
    const first = await currentTextId()
    await page.keyboard.press('2')
    await page.locator(`[data-testid=current-text]:not([data-text-id="${first}"])`).waitFor()
    expect(await page.getAttribute('[data-testid=save-status]', 'data-state')).toBe('saved')
    expect(await text('[data-testid=save-status]')).toBe('✓ Saved')
    acknowledged.push({ textId: first, labelName: '疾病' })
  })

  it('refuses a label while the server is stopped: "Not saved … Reconnecting…", never "Saved"', async () => {
    const open = await currentTextId()
    // Every state the save status shows from now until the server is back.
    await page.evaluate(`(() => {
      const seen = (globalThis.__saveStates = [])
      const el = document.querySelector('[data-testid=save-status]')
      seen.push(el.getAttribute('data-state') + ':' + el.textContent.trim())
      new MutationObserver(() =>
        seen.push(el.getAttribute('data-state') + ':' + el.textContent.trim()),
      ).observe(el, { attributes: true, childList: true, characterData: true, subtree: true })
    })()`)
    await server.stopKeepingData()

    await page.keyboard.press('1')
    await page
      .locator('[data-testid=save-error][data-unreachable=write]')
      .waitFor({ timeout: 20_000 })
    expect(await text('[data-testid=save-error]')).toBe(
      'Not saved: the team workspace server cannot be reached. Reconnecting…',
    )
    expect(await text('[data-testid=save-status]')).toBe('Not saved')
    expect(await page.getAttribute('[data-testid=save-status]', 'data-state')).toBe('error')
    // The text stays open with the chosen label marked, ready for the key again.
    expect(await currentTextId()).toBe(open)
    expect(await page.getAttribute('[data-testid=label-1]', 'aria-pressed')).toBe('true')
    const badge = page.locator('[data-testid=team-badge][data-state=reconnecting]')
    await badge.waitFor()
    expect(await text('[data-testid=team-badge]')).toBe('Reconnecting to the team workspace…')
    // The tooltip names the server, since when, and main's reason (plain words, never SQL).
    await expect
      .poll(() => badge.getAttribute('title'))
      .toMatch(
        new RegExp(
          `^The team workspace server 127\\.0\\.0\\.1:${server.port}/${DATABASE} has not answered since \\d\\d:\\d\\d:\\d\\d \\([a-z][^.()]*\\)\\. Labels are not saved until it answers again; the app keeps trying\\.$`,
        ),
      )
    await screenshot(page, 'team-reconnecting-en')
    // The same in 简体中文, switched in the top bar while the server is still away.
    await page.selectOption('[data-testid=language]', 'zh-CN')
    await page.getByText('未保存：无法连接团队工作区服务器。正在重新连接…').waitFor()
    expect(await text('[data-testid=team-badge]')).toBe('正在重新连接团队工作区…')
    expect(await text('[data-testid=save-status]')).toBe('未保存')
    await screenshot(page, 'team-reconnecting-zh')
    await page.selectOption('[data-testid=language]', 'en')
    await page.getByText('Reconnecting to the team workspace…').waitFor()
    await page.click('[data-testid=text-card]')
    // Pressing the key again while the server is still down is refused the same way.
    await page.keyboard.press('1')
    await page
      .locator('[data-testid=save-error][data-unreachable=write]')
      .waitFor({ timeout: 20_000 })
    expect(await currentTextId()).toBe(open)
  })

  it('reconnects once the server is back, and the key again saves', async () => {
    const open = await currentTextId()
    await server.start()
    await page
      .locator('[data-testid=team-badge][data-state=connected]')
      .waitFor({ timeout: 20_000 })
    expect(await text('[data-testid=team-badge]')).toBe(
      `Team: 127.0.0.1:${server.port}/${DATABASE}`,
    )
    expect(await text('[data-testid=save-error]')).toBe(
      'Not saved: the team workspace server could not be reached. The connection is back: press the key again to save.',
    )
    await screenshot(page, 'team-reconnected-en')
    const states = (await page.evaluate('globalThis.__saveStates')) as string[]
    // The first entry is the label saved before the stop; after it, never "saved" in any language.
    expect(states[0]).toBe('saved:✓ Saved')
    expect(states.slice(1).filter((s) => /^saved|Saved|已保存/.test(s))).toEqual([])
    expect(states).toContain('error:Not saved')

    await page.keyboard.press('1')
    await page.locator(`[data-testid=current-text]:not([data-text-id="${open}"])`).waitFor()
    expect(await page.getAttribute('[data-testid=save-status]', 'data-state')).toBe('saved')
    expect(await page.locator('[data-testid=save-error]').count()).toBe(0)
    acknowledged.push({ textId: open, labelName: '健康' })
  })

  it('stored exactly the acknowledged labels, each once', async () => {
    const project = await callApi(page, (cts, id) => cts.projects.get({ projectId: id }), projectId)
    const idOf = (name: string) => project.labels.find((l) => l.name === name)!.id
    const expected = acknowledged.map((a) => ({
      text_id: a.textId,
      label_ids: JSON.stringify([idOf(a.labelName)]),
    }))
    const history = await admin<{ text_id: number; after_label_ids: string; annotator: string }>(
      `SELECT text_id, after_label_ids, annotator, action FROM annotation_history
        WHERE project_id = $1 ORDER BY id`,
      [projectId],
    )
    expect(history).toEqual(
      expected.map((e) => ({
        text_id: e.text_id,
        after_label_ids: e.label_ids,
        annotator: PROFILE,
        action: 'set',
      })),
    )
    const rows = await admin<{ text_id: number; label_ids: string }>(
      `SELECT text_id, label_ids, annotator, origin FROM annotator_labels
        WHERE project_id = $1 ORDER BY text_id`,
      [projectId],
    )
    expect(rows).toEqual(
      [...expected]
        .sort((a, b) => a.text_id - b.text_id)
        .map((e) => ({ ...e, annotator: PROFILE, origin: 'local' })),
    )
    // The UI reads the same back from the server.
    for (const a of acknowledged) {
      const row = await callApi(page, (cts, id) => cts.texts.get({ textId: id }), a.textId)
      expect(row.labelIds).toEqual([idOf(a.labelName)])
    }
  })
})
