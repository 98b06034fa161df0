// The packaged app's Electron fuses (issue 15, point 5): read from electron-builder.yml with the
// YAML parser electron-builder itself uses (js-yaml, a dependency of electron-builder).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const yaml = require('js-yaml') as { load(text: string): unknown }
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>
}

const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>
const fuses = config.electronFuses as Record<string, unknown>

describe('electron-builder.yml electronFuses', () => {
  it('turns off every way to run the app binary as plain Node', () => {
    expect(fuses.runAsNode).toBe(false)
    expect(fuses.enableNodeOptionsEnvironmentVariable).toBe(false)
    expect(fuses.enableNodeCliInspectArguments).toBe(false)
  })

  it('loads only the app.asar, checked against its embedded hash', () => {
    expect(fuses.enableEmbeddedAsarIntegrityValidation).toBe(true)
    expect(fuses.onlyLoadAppFromAsar).toBe(true)
  })

  it('encrypts the cookie store', () => {
    expect(fuses.enableCookieEncryption).toBe(true)
  })

  it('sets exactly these six fuses, with names electron-builder knows', async () => {
    expect(Object.keys(fuses).sort()).toEqual([
      'enableCookieEncryption',
      'enableEmbeddedAsarIntegrityValidation',
      'enableNodeCliInspectArguments',
      'enableNodeOptionsEnvironmentVariable',
      'onlyLoadAppFromAsar',
      'runAsNode',
    ])
    const debugLogger = { messages: {}, isEnabled: false, add() {} }
    await expect(validateConfiguration(config, debugLogger)).resolves.toBeUndefined()
    // The schema rejects a misspelt fuse, so the names above are the ones it applies.
    await expect(
      validateConfiguration(
        { ...config, electronFuses: { ...fuses, runAsNodee: false } },
        debugLogger,
      ),
    ).rejects.toThrow(/configuration\.electronFuses/)
  })
})
