// The global --passphrase-file option: checked once before any command runs, then handed on as
// $CTS_PASSPHRASE_FILE, which every open of an encrypted workspace in this process (and in the
// worker threads `cts serve` starts) reads. Only the file's path travels, never the passphrase.
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { PASSPHRASE_FILE_ENV, readPassphraseFile } from '../root/workspace-admin'

/** The passphrase file to use: --passphrase-file, else $CTS_PASSPHRASE_FILE, else none. */
export function passphraseFileOf(command: Command): string | undefined {
  const flag = command.optsWithGlobals<{ passphraseFile?: string }>().passphraseFile
  if (flag !== undefined) return resolve(flag)
  return process.env[PASSPHRASE_FILE_ENV] || undefined
}

/** preAction hook: validates --passphrase-file (a readable, regular, non-empty file). */
export function applyPassphraseFlag(command: Command): void {
  const flag = command.optsWithGlobals<{ passphraseFile?: string }>().passphraseFile
  if (flag === undefined) return
  readPassphraseFile(flag)
  process.env[PASSPHRASE_FILE_ENV] = resolve(flag)
}

/** The passphrase itself, for commands that need it (workspace encrypt). */
export function passphraseOf(command: Command): string | undefined {
  const file = passphraseFileOf(command)
  if (file === undefined) return undefined
  const fromFlag = command.optsWithGlobals<{ passphraseFile?: string }>().passphraseFile
  return readPassphraseFile(
    file,
    fromFlag !== undefined ? '--passphrase-file' : PASSPHRASE_FILE_ENV,
  )
}
