// `cts token create NAME [--expires 30d|DATE]`, `cts token list`, `cts token revoke NAME`: the named
// API tokens `cts serve` accepts. Only hashes are stored, so a token is printed once, at creation.
import { Command } from 'commander'
import { boot, type Backend } from '../../root/boot'
import { workspaceHome } from '../context'
import type { CliCommand } from './command'

/** Boots the backend on --home for one action and shuts it down again, whatever happens. */
async function withTokens(command: Command, action: (backend: Backend) => Promise<void>) {
  const backend = await boot({
    home: workspaceHome(command.optsWithGlobals<{ home?: string }>().home),
  })
  try {
    await action(backend)
  } finally {
    await backend.shutdown()
  }
}

const out = (s: string): void => void process.stdout.write(s + '\n')
const day = (iso: string | null, none: string) => (iso ? iso.slice(0, 16).replace('T', ' ') : none)

export const tokenCommand: CliCommand = {
  name: 'token',
  register(program) {
    const token = new Command('token').description(
      'named API tokens for cts serve (stored as hashes; expiry, revocation, request counts)',
    )
    token.addCommand(
      new Command('create')
        .description('make a new token and print it once')
        .argument('<name>', 'a name for who uses it, e.g. ward-3-ehr')
        .option('--expires <when>', 'lifetime ("30d", "12h") or a date (2027-01-31); default never')
        .option('--json', 'print the new token as JSON')
        .action(async (name: string, opts: { expires?: string; json?: boolean }, cmd: Command) =>
          withTokens(cmd, async (b) => {
            const created = await b.tokens.create(name, opts.expires)
            if (opts.json) return out(JSON.stringify(created, null, 2))
            const expiry = created.expiresAt
              ? `expires ${day(created.expiresAt, '')} UTC`
              : 'never expires'
            out(`Created token "${created.name}" (${expiry}). It is shown only this once; clients`)
            out('send it as "Authorization: Bearer <token>":')
            out(created.token)
          }),
        ),
    )
    token.addCommand(
      new Command('list')
        .description('every token: created, expires, revoked, last used, request counts')
        .option('--json', 'print the tokens as JSON')
        .action(async (opts: { json?: boolean }, cmd: Command) =>
          withTokens(cmd, async (b) => {
            const tokens = await b.tokens.list()
            if (opts.json) return out(JSON.stringify(tokens, null, 2))
            if (tokens.length === 0)
              return out('No tokens yet; make one with cts token create NAME.')
            out('name\tcreated\texpires\trevoked\tlast used\trequests\trejected')
            for (const t of tokens)
              out(
                [
                  t.name,
                  day(t.createdAt, ''),
                  day(t.expiresAt, 'never'),
                  day(t.revokedAt, 'no'),
                  day(t.lastUsedAt, 'never'),
                  t.requestCount,
                  t.rejectedCount,
                ].join('\t'),
              )
          }),
        ),
    )
    token.addCommand(
      new Command('revoke')
        .description('refuse a token from now on (it stays listed)')
        .argument('<name>', 'the token name (see cts token list)')
        .action(async (name: string, _opts: unknown, cmd: Command) =>
          withTokens(cmd, async (b) => {
            await b.tokens.revoke(name)
            out(`Revoked token "${name}"; cts serve refuses it from its next request.`)
          }),
        ),
    )
    program.addCommand(token)
  },
}
