// The desktop backend process on an ENCRYPTED workspace (issue #15 point 2): it starts (locked)
// instead of failing, answers only 'workspace/status' and 'workspace/unlock' until the right
// passphrase comes, then serves every call; a wrong passphrase changes nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BackendClient } from '../../../main/backend/backend-client'
import { forkBackend } from '../../../main/backend/fork-launcher'
import { encryptWorkspaceAt } from '../../../main/root/workspace-admin'
import { forgetWorkspaceKeys, WRONG_PASSPHRASE } from '../../../main/store/workspace-key'
import { BACKEND_ENTRY } from './backend-harness'

const PASSPHRASE = 'desktop passphrase 桌面口令'
const dir = mkdtempSync(join(tmpdir(), 'cts-backend-locked-'))
const home = join(dir, 'workspace')
let client: BackendClient | undefined

afterAll(async () => {
  await client?.shutdown()
  forgetWorkspaceKeys()
  rmSync(dir, { recursive: true, force: true })
})

describe('the backend process on an encrypted workspace', () => {
  it('starts locked and unlocks with the passphrase', async () => {
    encryptWorkspaceAt(home, PASSPHRASE, 'setup', { cost: { N: 2 ** 12, r: 8, p: 1 } })
    forgetWorkspaceKeys()
    const fork = forkBackend(BACKEND_ENTRY)
    client = await BackendClient.start({ launch: () => fork(), home, log: () => {} })
    expect(await client.call('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: true, locked: true },
    })
    expect(await client.call('projects/list', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: /still locked: unlock it with its passphrase first/ },
    })
    expect(await client.call('workspace/unlock', { passphrase: 'wrong' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: WRONG_PASSPHRASE },
    })
    expect(await client.call('workspace/unlock', { passphrase: PASSPHRASE })).toEqual({
      ok: true,
      value: { encrypted: true, locked: false },
    })
    expect(
      await client.call('projects/create', { name: 'Ward 7 病房', kind: 'binary' }),
    ).toMatchObject({
      ok: true,
      value: { name: 'Ward 7 病房' },
    })
  }, 60_000)
})
