// `cts`: the headless entry over the same services (and the same validation) as the desktop app.
// bin/cts.mjs loads this file through tsx; commands are listed in ./commands/index.ts.
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { commands } from './commands'
import { describeFailure, EXIT_OK } from './exit-codes'
import { applyPassphraseFlag } from './passphrase'
import { PASSPHRASE_FILE_ENV } from '../root/workspace-admin'

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string }

export function buildProgram(): Command {
  const program = new Command('cts')
    .description(
      'Clinical Text Studio, headless: projects, import, export (same workspace as the app)',
    )
    .version(version)
    .option('--home <dir>', 'workspace folder (default: $CTS_HOME or ~/.cts-workspace)')
    .option(
      '--passphrase-file <file>',
      'file holding the passphrase of an encrypted workspace (default: $CTS_PASSPHRASE_FILE)',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  for (const command of commands) command.register(program)
  // An encrypted workspace's passphrase file, checked before any command (serve included) runs.
  program.hook('preAction', (_, action) => applyPassphraseFlag(action))
  // Subcommands inherit exitOverride only when set before they are added, so set it on all now.
  const all = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(all)]
  for (const cmd of all(program)) cmd.exitOverride()
  return program
}

export async function main(argv: string[]): Promise<number> {
  // --passphrase-file is handed on as $CTS_PASSPHRASE_FILE for this command only.
  const passphraseEnv = process.env[PASSPHRASE_FILE_ENV]
  try {
    await buildProgram().parseAsync(argv, { from: 'user' })
    return EXIT_OK
  } catch (error) {
    const failure = describeFailure(error)
    if (failure.message) process.stderr.write(failure.message + '\n')
    return failure.exitCode
  } finally {
    if (passphraseEnv === undefined) delete process.env[PASSPHRASE_FILE_ENV]
    else process.env[PASSPHRASE_FILE_ENV] = passphraseEnv
  }
}
