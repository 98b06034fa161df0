// `cts workspace encrypt --passphrase-file F [--json]`: encrypts the workspace (creating it when
// there is none): encrypted copy → verify → swap → plaintext removed, or nothing changed.
// `cts workspace status [--json]`: whether the workspace is encrypted, or which team server it is on.
// `cts workspace connect postgres://user@host:port/db [--password-file F]` binds the folder to a
// team workspace on PostgreSQL (issue #17); `cts workspace disconnect` unbinds it (data stays).
// `cts workspace member add NAME --role annotator|lead [--password-file F]`, `member list`,
// `member remove NAME`: a lead manages the team's logins and rights (issue #17 point 3).
import { userInfo } from 'node:os'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { encryptWorkspaceAt, isEncryptedWorkspace } from '../../root/workspace-admin'
import {
  addMember,
  checkMemberName,
  connectTeamWorkspace,
  describeTarget,
  disconnectTeamWorkspace,
  isTeamWorkspace,
  listMembers,
  readPasswordFile,
  removeMember,
  TEAM_ROLES,
  teamLine,
  teamStatus,
  type TeamRole,
} from '../../root/team-admin'
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
      if (isTeamWorkspace(home))
        throw new CtsError(
          'unsupported',
          `${home} is connected to a team workspace on a server: encryption applies to a local workspace only (the server protects its data with TLS and its own access rules).`,
        )
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
    .description('say whether the workspace is encrypted, or which team server it is on')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
      const team = await teamStatus(home)
      if (team) {
        out(
          opts.json
            ? JSON.stringify({
                home,
                encrypted: false,
                team: { ...team.target, boundAt: team.boundAt },
              })
            : `${home}: ${teamLine(team.target)} (connected ${team.boundAt}; ${team.password})`,
        )
        return
      }
      const encrypted = isEncryptedWorkspace(home)
      out(
        opts.json
          ? JSON.stringify({ home, encrypted })
          : `${home}: ${encrypted ? 'encrypted' : 'not encrypted'}`,
      )
    })

const connectCommand = () =>
  new Command('connect')
    .description(
      'connect this workspace folder to a team workspace on PostgreSQL: postgres://user@host:5432/database',
    )
    .argument('<url>', 'the server: postgres://user@host:port/database[?sslmode=verify-full]')
    .option(
      '--password-file <file>',
      'a file holding the password (else from the URL or ~/.pgpass)',
    )
    .option('--json', 'print the result as JSON')
    .action(
      async (url: string, opts: { passwordFile?: string; json?: boolean }, command: Command) => {
        const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
        const password =
          opts.passwordFile !== undefined ? readPasswordFile(opts.passwordFile) : undefined
        const outcome = await connectTeamWorkspace(home, url, {
          actor: actorName(),
          ...(password !== undefined ? { password } : {}),
        })
        if (opts.json) {
          out(
            JSON.stringify({
              home: outcome.home,
              team: outcome.target,
              projects: outcome.projects,
              passwordSavedIn: outcome.passwordSavedIn ?? null,
            }),
          )
          return
        }
        out(
          `${outcome.home} is now a ${teamLine(outcome.target)} (${outcome.projects} project${outcome.projects === 1 ? '' : 's'}).`,
        )
        out(
          outcome.passwordSavedIn
            ? `The password is stored in ${outcome.passwordSavedIn} (readable only by you), not in the workspace folder.`
            : 'No password was given: it is read from PGPASSFILE or ~/.pgpass when needed.',
        )
      },
    )

const disconnectCommand = () =>
  new Command('disconnect')
    .description("disconnect this folder from its team workspace (the server's data stays)")
    .option('--forget-password', 'also remove the stored password')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { forgetPassword?: boolean; json?: boolean }, command: Command) => {
      const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
      const target = await disconnectTeamWorkspace(home, { forgetPassword: opts.forgetPassword })
      if (!target) throw new CtsError('bad-input', `${home} is not connected to a team workspace.`)
      if (opts.json) {
        out(JSON.stringify({ home, disconnected: target }))
        return
      }
      out(
        `${home} is no longer connected to ${describeTarget(target)}; the team workspace's data on the server is unchanged.`,
      )
    })

const homeOf = (command: Command): string =>
  workspaceHome(command.optsWithGlobals<{ home?: string }>().home)

const memberAddCommand = () =>
  new Command('add')
    .description(
      'give a login the rights of a lead or an annotator (with --password-file: create the login)',
    )
    .argument('<name>', "the member's database login: lowercase letters, digits and _")
    .requiredOption('--role <role>', 'annotator (labels the texts assigned to them) or lead')
    .option(
      '--password-file <file>',
      'create the login with the password in this file (needs CREATEROLE; else the login must exist)',
    )
    .option('--json', 'print the result as JSON')
    .action(
      async (
        name: string,
        opts: { role: string; passwordFile?: string; json?: boolean },
        command: Command,
      ) => {
        if (!(TEAM_ROLES as readonly string[]).includes(opts.role))
          throw new CtsError(
            'bad-input',
            `--role must be ${TEAM_ROLES.join(' or ')} (got "${opts.role}").`,
          )
        const password =
          opts.passwordFile !== undefined ? readPasswordFile(opts.passwordFile) : undefined
        checkMemberName(name)
        const added = await addMember(homeOf(command), {
          name,
          role: opts.role as TeamRole,
          ...(password !== undefined ? { password } : {}),
        })
        if (opts.json) {
          out(JSON.stringify(added))
          return
        }
        out(
          `${added.name} is now ${added.role === 'lead' ? 'a lead' : 'an annotator'} of the team workspace${added.loginCreated ? ' (login created; the password was sent only as its SCRAM verifier)' : ''}.`,
        )
      },
    )

const memberListCommand = () =>
  new Command('list')
    .description("list the team's members and their roles")
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const members = await listMembers(homeOf(command))
      if (opts.json) {
        out(JSON.stringify(members))
        return
      }
      if (members.length === 0) out('No members yet (the owner of the workspace has every right).')
      for (const m of members) out(`${m.name}\t${m.role}\tadded ${m.addedAt} by ${m.addedBy}`)
    })

const memberRemoveCommand = () =>
  new Command('remove')
    .description("take a member's rights away (their login stays on the server)")
    .argument('<name>', "the member's database login")
    .option('--json', 'print the result as JSON')
    .action(async (name: string, opts: { json?: boolean }, command: Command) => {
      checkMemberName(name)
      await removeMember(homeOf(command), name)
      out(
        opts.json
          ? JSON.stringify({ removed: name })
          : `${name} is no longer a member of the team workspace; their login stays on the server (the administrator may drop it).`,
      )
    })

const memberCommand = () =>
  new Command('member')
    .description("a team workspace's members: add, list, remove (run by a lead)")
    .addCommand(memberAddCommand())
    .addCommand(memberListCommand())
    .addCommand(memberRemoveCommand())

export const workspaceCommand: CliCommand = {
  name: 'workspace',
  register(program) {
    program.addCommand(
      new Command('workspace')
        .description('the workspace itself: encryption, or a team workspace on a server')
        .addCommand(encryptCommand())
        .addCommand(statusCommand())
        .addCommand(connectCommand())
        .addCommand(disconnectCommand())
        .addCommand(memberCommand()),
    )
  },
}
