// `cts serve --run ID [--port N] [--host H] [--token T]`: a local prediction API over one trained
// run for hospital systems (POST /predict, GET /health, GET /openapi.json). Stops on Ctrl+C.
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { generateToken, tokenProblem } from '../../serve/auth'
import { isLoopback } from '../../serve/host-check'
import { DEFAULT_HOST, DEFAULT_PORT } from '../../serve/limits'
import { startPredictionServer } from '../../serve/server'
import { loadRunPredictorInWorker } from '../../serve/worker-predictor'
import { workspaceHome } from '../context'
import { runIdFlag } from '../flags'
import type { CliCommand } from './command'

interface ServeOptions {
  run: string
  port: string
  host: string
  token?: string
  quiet?: boolean
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
        .option('--quiet', 'no line per request on stderr')
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
          const token = given ?? generateToken()

          const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
          // Stop serving when the model thread dies: a supervisor can restart a process that exits,
          // while a server answering 500 forever looks alive.
          let crashed: ((err: Error) => void) | undefined
          const predictor = await loadRunPredictorInWorker(home, runId, (err) => crashed?.(err))
          const log = opts.quiet ? undefined : (line: string) => process.stderr.write(line + '\n')
          const server = await startPredictionServer({
            predictor,
            runId,
            token,
            host: opts.host,
            port,
            version: appVersion(),
            log,
          }).catch(async (err) => {
            await predictor.release()
            throw err
          })
          if (!isLoopback(opts.host))
            process.stderr.write(
              `Warning: listening on ${opts.host}, so other computers can reach this API. ` +
                'Use it only on a trusted hospital network, behind TLS, and keep the token secret.\n',
            )
          const out = (s: string) => process.stdout.write(s + '\n')
          out(`Serving run ${runId} (labels: ${predictor.labels.join(', ')}) at ${server.url}`)
          out(
            `POST ${server.url}/predict   GET ${server.url}/health   GET ${server.url}/openapi.json`,
          )
          if (given === undefined) out(`Token (send as "Authorization: Bearer <token>"): ${token}`)
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
