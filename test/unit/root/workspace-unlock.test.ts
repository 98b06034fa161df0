// The app's unlock of an encrypted workspace (issue #15 point 2): a locked backend answers only
// 'workspace/status' and 'workspace/unlock'; a wrong passphrase changes nothing, a right one
// boots the services and records 'unlock' in the audit log.
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Backend } from '../../../main/root/boot'
import { lockableBoot } from '../../../main/root/lockable-boot'
import { encryptWorkspaceAt } from '../../../main/root/workspace-admin'
import { forgetWorkspaceKeys, WRONG_PASSPHRASE } from '../../../main/store/workspace-key'

const PASSPHRASE = 'open sesame 芝麻开门'
let home: string
let backend: Backend | undefined

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-unlock-'))
})
afterEach(async () => {
  await backend?.shutdown()
  backend = undefined
  forgetWorkspaceKeys()
  rmSync(home, { recursive: true, force: true })
})

const fingerprint = () =>
  readdirSync(home)
    .sort()
    .map(
      (f) =>
        `${f}:${createHash('sha256')
          .update(readFileSync(join(home, f)))
          .digest('hex')}`,
    )

describe('unlocking an encrypted workspace in the app', () => {
  it('answers status, refuses other calls, and unlocks with the right passphrase only', async () => {
    encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: { N: 2 ** 12, r: 8, p: 1 } })
    backend = await lockableBoot({ home, actor: 'tester' })

    expect(await backend.dispatch('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: true, locked: true },
    })
    expect(await backend.dispatch('projects/list', {})).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message:
          'The workspace is encrypted and still locked: unlock it with its passphrase first.',
      },
    })

    const before = fingerprint()
    expect(await backend.dispatch('workspace/unlock', { passphrase: 'wrong one' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: WRONG_PASSPHRASE },
    })
    expect(fingerprint()).toEqual(before)
    expect((await backend.dispatch('workspace/unlock', { passphrase: '' })).ok).toBe(false)

    expect(await backend.dispatch('workspace/unlock', { passphrase: PASSPHRASE })).toEqual({
      ok: true,
      value: { encrypted: true, locked: false },
    })
    expect(await backend.dispatch('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: true, locked: false },
    })
    expect(await backend.dispatch('projects/list', {})).toEqual({ ok: true, value: [] })
    const log = await backend.dispatch('audit/list', { actions: ['unlock'] })
    expect(log.ok && (log.value as { total: number }).total).toBe(1)
    // Unlocking again only checks the passphrase.
    expect(await backend.dispatch('workspace/unlock', { passphrase: 'wrong one' })).toMatchObject({
      ok: false,
      error: { message: WRONG_PASSPHRASE },
    })
  })

  it('opens a plain workspace as before: not encrypted, nothing to unlock', async () => {
    backend = await lockableBoot({ home, actor: 'tester' })
    expect(await backend.dispatch('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: false, locked: false },
    })
    expect(await backend.dispatch('workspace/unlock', { passphrase: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad-input', message: /not encrypted/ },
    })
  })
})
