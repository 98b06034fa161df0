// Where a secret (a team server's password) is kept: an interface, so services and the store never
// import Electron. Asynchronous: in the app the backend process asks the main process for it. The CLI keeps secrets in a file only its owner can read (store/pg/credentials.ts);
// the desktop app in the OS keychain through Electron's safeStorage (main/app/safe-storage-secrets.ts).

export interface SecretStore {
  /** Where the secrets are, for the sentence that tells the user ("… stored in <where>"). */
  readonly where: string
  /** The secret saved under `key`, or undefined. */
  get(key: string): Promise<string | undefined>
  /** Saves (or replaces) the secret under `key`. */
  set(key: string, secret: string): Promise<void>
  /** Removes the secret under `key`; true when there was one. */
  delete(key: string): Promise<boolean>
}
