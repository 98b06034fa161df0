// `cts serve --run ID [--port N] [--host H] [--token T] [--tls-cert F --tls-key F] [--rate-limit N]`:
// a prediction API over one trained run for hospital systems (POST /predict, GET /health,
// GET /openapi.json); named tokens (cts token), per-token counts into the audit log. Ctrl+C stops.
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { generateToken, tokenProblem } from '../../serve/auth'
import { isLoopback, plainHostProblem } from '../../serve/host-check'
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_RATE_LIMIT, MAX_RATE_LIMIT } from '../../serve/limits'
import { startPredictionServer } from '../../serve/server'
import { readTlsFiles } from '../../serve/tls'
import { TokenUsageLog } from '../../serve/token-usage'
import { boot } from '../../root/boot'
import { loadRunPredictorInWorker } from '../../serve/worker-predictor'
import { parseQuantization } from '../../serve/predictor'
import { workspaceHome } from '../context'
import { runIdFlag } from '../flags'
import { QUANTIZE_HELP } from './predict'
import type { CliCommand } from './command'

interface ServeOptions {
  run: string
  port: string
  host: string
  token?: string
  tlsCert?: string
  tlsKey?: string
  rateLimit: string
  quiet?: boolean
  quantize?: string
}

export const serveCommand: CliCommand = {
  name: 'serve',
  register(program) {
    program.addCommand(
      new Command('serve')
        .description('serve a trained run as a local prediction API (POST /predict)')
        .requiredOption('--run <id>', 'run id (see the output of cts train)')
        .option('--port <n>', 'TCP port (0 = any free port)', String(DEFAULT_PORT))
        .option(
          '--host <address>',
          'address to listen on (loopback unless you say otherwise)',
          DEFAULT_HOST,
        )
        .option(
          '--token <token>',
          'bearer token clients must send (default: $CTS_TOKEN, else a new random one)',
        )
        .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM); with --tls-key')
        .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
        .option(
          '--rate-limit <n>',
          'requests per minute each token may make (past it: 429 with Retry-After)',
          String(DEFAULT_RATE_LIMIT),
        )
        .option('--quiet', 'no line per request on stderr')
        .option('--quantize <mode>', QUANTIZE_HELP)
        .action(async (opts: ServeOptions, command: Command) => {
          const runId = runIdFlag(opts.run)
          const port = Number(opts.port)
          if (!Number.isInteger(port) || port < 0 || port > 65535)
            throw new CtsError(
              'bad-input',
              `--port must be a port number 0–65535 (got "${opts.port}").`,
            )
          const given = opts.token ?? (process.env.CTS_TOKEN || undefined)
          const problem = given !== undefined ? tokenProblem(given) : null
          if (problem) {
            const from = opts.token !== undefined ? '--token' : '$CTS_TOKEN'
            throw new CtsError('bad-input', `${from}: ${problem}`)
          }
          // An empty address would listen on every interface: a host is always named.
          if (!opts.host.trim())
            throw new CtsError(
              'bad-input',
              `--host must be an address to listen on, e.g. ${DEFAULT_HOST} (got "${opts.host}").`,
            )
          const rateLimit = Number(opts.rateLimit)
          if (!/^\d+$/.test(opts.rateLimit.trim()) || rateLimit < 1 || rateLimit > MAX_RATE_LIMIT)
            throw new CtsError(
              'bad-input',
              `--rate-limit must be a whole number of requests per minute, 1–${MAX_RATE_LIMIT} (got "${opts.rateLimit}").`,
            )
          const quantize = parseQuantization(opts.quantize)
          const tls = readTlsFiles(opts.tlsCert, opts.tlsKey)
          const plain = plainHostProblem(opts.host, !!tls)
          if (plain) throw new CtsError('bad-input', plain)

          const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
          // The workspace stays open while serving: named tokens are checked (and revocations seen)
          // on every request, and the request counts go to its audit log.
          const backend = await boot({ home })
          const named = await backend.tokens.activeCount().catch(async (err) => {
            await backend.shutdown()
            throw err
          })
          // Without --token/$CTS_TOKEN a random one is made, unless the workspace has named tokens.
          const token = given ?? (named > 0 ? undefined : generateToken())
          const usage = new TokenUsageLog(
            (u) => backend.tokens.recordUsage(u),
            undefined,
            (err) =>
              process.stderr.write(
                `Request counts could not be written to the audit log (${(err as Error).message}); retrying.\n`,
              ),
          )
          // Stop serving when the model thread dies: a supervisor can restart a process that exits,
          // while a server answering 500 forever looks alive.
          let crashed: ((err: Error) => void) | undefined
          const predictor = await loadRunPredictorInWorker(home, runId, (err) => crashed?.(err), {
            quantize,
          }).catch(async (err) => {
            await backend.shutdown()
            throw err
          })
          const log = opts.quiet ? undefined : (line: string) => process.stderr.write(line + '\n')
          const server = await startPredictionServer({
            predictor,
            runId,
            token,
            tokens: backend.tokens,
            rateLimit,
            tls,
            host: opts.host,
            port,
            version: appVersion(),
            log,
            onTokenRequest: (name, status) => usage.record(name, status === 200),
          }).catch(async (err) => {
            await predictor.release()
            await backend.shutdown()
            throw err
          })
          usage.start()
          if (!isLoopback(opts.host))
            process.stderr.write(
              `Warning: listening on ${opts.host}, so other computers can reach this API. ` +
                'Use it only on a trusted hospital network, and keep the tokens secret.\n',
            )
          const out = (s: string) => process.stdout.write(s + '\n')
          out(`Serving run ${runId} (labels: ${predictor.labels.join(', ')}) at ${server.url}`)
          out(
            `POST ${server.url}/predict   GET ${server.url}/health   GET ${server.url}/openapi.json`,
          )
          if (given === undefined && token)
            out(`Token (send as "Authorization: Bearer <token>"): ${token}`)
          if (named > 0)
            out(
              `Accepting the workspace's ${named} named token(s)${token ? ' too' : ''} (see cts token list).`,
            )
          out('Press Ctrl+C to stop.')

          const failure = await new Promise<Error | null>((resolve) => {
            const stop = (err: Error | null) => {
              process.off('SIGINT', onSignal)
              process.off('SIGTERM', onSignal)
              resolve(err)
            }
            const onSignal = () => stop(null)
            process.on('SIGINT', onSignal)
            process.on('SIGTERM', onSignal)
            crashed = stop
          })
          await server.close()
          // The last counts reach the audit log before the workspace closes.
          await usage
            .stop()
            .catch((err) =>
              process.stderr.write(
                `Request counts could not be written to the audit log: ${(err as Error).message}\n`,
              ),
            )
          await backend.shutdown()
          await predictor.release()
          if (failure) throw new CtsError('internal', `${failure.message} The server has stopped.`)
          process.stderr.write('Stopped.\n')
        }),
    )
  },
}

function appVersion(): string {
  const pkg = new URL('../../../package.json', import.meta.url)
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version
}
