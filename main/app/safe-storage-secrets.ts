// The desktop app's SecretStore: team server passwords encrypted with Electron's safeStorage (the OS
// keychain: Keychain, DPAPI, libsecret) in a 0600 file under the app's user data, never the
// workspace folder. safeStorage is injected, so this file needs no electron import to be tested.
import { existsSync, readFileSync } from 'node:fs'
import { CtsError } from '../shared'
import { writeOwnerOnlyFile } from '../shared/owner-only-file'
import type { SecretStore } from '../shared/secret-store'

/** The part of Electron's safeStorage this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
}

export class SafeStorageSecretStore implements SecretStore {
  constructor(
    private readonly safe: SafeStorageLike,
    /** e.g. <userData>/team-secrets.json: base64 ciphertexts by key. */
    private readonly file: string,
    readonly where = 'the system keychain',
  ) {}

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {}
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown
      if (parsed && typeof parsed === 'object') return { ...(parsed as Record<string, string>) }
    } catch {
      /* reported below */
    }
    throw new CtsError(
      'bad-input',
      `${this.file} is damaged; remove it and connect to the team workspace again.`,
    )
  }

  private write(entries: Record<string, string>): void {
    writeOwnerOnlyFile(this.file, JSON.stringify(entries, null, 2) + '\n')
  }

  private checkAvailable(): void {
    // On Linux without a keyring safeStorage falls back to a hard-coded key: refuse rather than
    // pretend the password is protected.
    if (!this.safe.isEncryptionAvailable())
      throw new CtsError(
        'unsupported',
        'This computer has no system keychain the app can use, so the password cannot be kept safely. Use `cts workspace connect` with --password-file, or ask your IT department to enable the keychain.',
      )
  }

  async get(key: string): Promise<string | undefined> {
    const sealed = this.read()[key]
    if (sealed === undefined) return undefined
    this.checkAvailable()
    return this.safe.decryptString(Buffer.from(sealed, 'base64'))
  }

  async set(key: string, secret: string): Promise<void> {
    this.checkAvailable()
    const entries = this.read()
    entries[key] = this.safe.encryptString(secret).toString('base64')
    this.write(entries)
  }

  async delete(key: string): Promise<boolean> {
    const entries = this.read()
    if (!(key in entries)) return false
    delete entries[key]
    this.write(entries)
    return true
  }
}
