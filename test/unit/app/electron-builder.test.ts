// electron-builder.yml passes electron-builder's own schema and ships what the app needs: the
// bundles, samples, native modules unpacked, and no models.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

// js-yaml and app-builder-lib come with electron-builder; they are what it uses itself.
const require = createRequire(import.meta.url)
const yaml = require('js-yaml') as { load(text: string): unknown }
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>
}

const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>
const debugLogger = { messages: {}, isEnabled: false, add() {} }

describe('electron-builder.yml', () => {
  it('is valid for electron-builder', async () => {
    await expect(validateConfiguration(config, debugLogger)).resolves.toBeUndefined()
    await expect(validateConfiguration({ ...config, bogusKey: 1 }, debugLogger)).rejects.toThrow(
      /bogusKey/,
    )
  })

  it('ships the bundles and samples, unpacks native modules and leaves models out', () => {
    expect(config.productName).toBe('Clinical Text Studio')
    expect(config.files).toEqual(
      expect.arrayContaining(['out/**', 'package.json', 'resources/**', '!resources/models/**']),
    )
    expect(config.asarUnpack).toEqual([
      '**/*.node',
      'node_modules/better-sqlite3/**',
      'node_modules/better-sqlite3-multiple-ciphers/**',
      'node_modules/onnxruntime-node/**',
    ])
    expect(config.extraResources).toEqual([{ from: 'resources/samples', to: 'samples' }])
    const targets = (platform: string) =>
      ((config[platform] as { target: (string | { target: string })[] }).target ?? []).map((t) =>
        typeof t === 'string' ? t : t.target,
      )
    expect([targets('win'), targets('mac'), targets('linux')]).toEqual([
      ['nsis'],
      ['dmg'],
      ['AppImage', 'deb'],
    ])
  })

  // m3e-small is research-only: it may be installed by a user who accepts its licence, never
  // shipped. The exclusion must come after resources/** (electron-builder applies them in order).
  it('never puts a model into the installer', () => {
    const files = config.files as string[]
    const excluded = files.indexOf('!resources/models/**')
    expect(excluded).toBeGreaterThan(files.indexOf('resources/**'))
    expect(files.filter((f) => !f.startsWith('!') && /models/.test(f))).toEqual([])
    const extra = (config.extraResources ?? []) as { from: string }[]
    expect(extra.filter((r) => /models/.test(r.from))).toEqual([])
    expect(config.extraFiles).toBeUndefined()
  })
})
