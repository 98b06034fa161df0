// `cts workspace encrypt --passphrase-file F [--json]`: encrypts the workspace (creating it when
// there is none): encrypted copy → verify → swap → plaintext removed, or nothing changed.
// `cts workspace status [--json]`: whether the workspace is encrypted.
import { userInfo } from 'node:os'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { encryptWorkspaceAt, isEncryptedWorkspace } from '../../root/workspace-admin'
import { workspaceHome } from '../context'
import { passphraseOf } from '../passphrase'
import type { CliCommand } from './command'

function actorName(): string {
  try {
    return userInfo().username || 'local user'
  } catch {
    return 'local user'
  }
}

const out = (text: string): void => void process.stdout.write(text + '\n')

const encryptCommand = () =>
  new Command('encrypt')
    .description(
      'encrypt the workspace with a passphrase (give it with --passphrase-file F or $CTS_PASSPHRASE_FILE)',
    )
    .option('--json', 'print the result as JSON')
    .action((opts: { json?: boolean }, command: Command) => {
      const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
      const passphrase = passphraseOf(command)
      if (passphrase === undefined)
        throw new CtsError(
          'bad-input',
          'cts workspace encrypt needs the passphrase: --passphrase-file FILE (a file holding it) or $CTS_PASSPHRASE_FILE.',
        )
      const summary = encryptWorkspaceAt(home, passphrase, actorName())
      if (opts.json) {
        out(JSON.stringify({ encrypted: true, ...summary }))
        return
      }
      out(
        summary.created
          ? `Created an encrypted workspace in ${summary.home}.`
          : `Encrypted the workspace in ${summary.home}: ${summary.tables} tables, ${summary.rows} rows verified; the plaintext database was removed.`,
      )
      out('Keep the passphrase safe: without it the workspace cannot be opened by anyone.')
    })

const statusCommand = () =>
  new Command('status')
    .description('say whether the workspace is encrypted')
    .option('--json', 'print the result as JSON')
    .action((opts: { json?: boolean }, command: Command) => {
      const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
      const encrypted = isEncryptedWorkspace(home)
      out(
        opts.json
          ? JSON.stringify({ home, encrypted })
          : `${home}: ${encrypted ? 'encrypted' : 'not encrypted'}`,
      )
    })

export const workspaceCommand: CliCommand = {
  name: 'workspace',
  register(program) {
    program.addCommand(
      new Command('workspace')
        .description('the workspace itself: encryption')
        .addCommand(encryptCommand())
        .addCommand(statusCommand()),
    )
  },
}
