// Load benchmark of the prediction API: C concurrent clients × R requests each (default 50 × 100)
// over keep-alive HTTP on loopback; prints errors, p50/p99 latency, requests/s and how requests
// were merged into predictor calls. Bounded by --max-seconds; stops by itself.
// Run: npx tsx test/bench/serve-load.ts [--run ID --home DIR] [--url URL --token T]
//        [--clients 50] [--requests 100] [--texts 1] [--no-merge | --compare] [--delay-ms 0]
//        [--main-thread] [--max-seconds 120]
//        [--before-after [--bundle DIR] [--max-length 128] [--rounds 1] [--steps] [--sides JSON]]
// With --run it serves that trained run in-process; with --url it loads a running `cts serve`
// (loopback only); otherwise it uses the in-test predictor double (no model), and says so.
// --before-after (issue #13): a MiniLM classifier (--bundle, else a fresh one with a random head at
// --max-length) served in worker threads "before" (fp32, ORT spin-waiting on, 64-text session runs,
// one model thread: the path as it was) and "after" (int8, no spin-waiting, 8-text session runs, a
// pool of model threads), alternating, and prints the ratios of requests/s and p50/p99;
// --sides '{"name": {WorkerPredictorOptions}}' adds more sides between them (what a change wins
// alone).
import { Agent, request } from 'node:http'
import { parseArgs } from 'node:util'
import { generateToken } from '../../main/serve/auth'
import { isLoopback } from '../../main/serve/host-check'
import { MAX_RATE_LIMIT } from '../../main/serve/limits'
import { beforeAfter } from './serve-before-after'
import { loadRunPredictor, type Predictor } from '../../main/serve/predictor'
import { startPredictionServer } from '../../main/serve/server'
import {
  loadRunPredictorInWorker,
  type WorkerPredictorOptions,
} from '../../main/serve/worker-predictor'
import { testPredictor } from '../unit/serve/test-predictor'

const { values: args } = parseArgs({
  options: {
    run: { type: 'string' },
    home: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    clients: { type: 'string', default: '50' },
    requests: { type: 'string', default: '100' },
    texts: { type: 'string', default: '1' },
    'no-merge': { type: 'boolean', default: false },
    compare: { type: 'boolean', default: false },
    'delay-ms': { type: 'string', default: '0' },
    'max-seconds': { type: 'string', default: '120' },
    'main-thread': { type: 'boolean', default: false },
    'before-after': { type: 'boolean', default: false },
    bundle: { type: 'string' },
    'max-length': { type: 'string', default: '128' },
    rounds: { type: 'string', default: '1' },
    steps: { type: 'boolean', default: false },
    sides: { type: 'string' },
  },
})
const CLIENTS = Number(args.clients)
const REQUESTS = Number(args.requests)
const TEXTS_PER_REQUEST = Number(args.texts)
const MAX_SECONDS = Number(args['max-seconds'])

const SAMPLE = [
  'severe chest pain with shortness of breath',
  '体检正常，无不适',
  'routine checkup normal and healthy',
  '反复头痛伴恶心呕吐三天',
  'persistent cough with yellow sputum and fever for two weeks',
  '血压控制良好，睡眠正常',
  'Patient reports mild abdominal pain after meals; no vomiting, bowel habits unchanged.',
  '胸闷气短，活动后加剧，夜间不能平卧',
]

function post(agent: Agent, url: URL, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', reject)
      },
    )
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(body)
  })
}

async function load(baseUrl: string, token: string, requests = REQUESTS): Promise<Outcome> {
  const url = new URL('/predict', baseUrl)
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
  const deadline = Date.now() + MAX_SECONDS * 1000
  const latenciesMs: number[] = []
  const statuses = new Map<string, number>()
  let errors = 0
  let stoppedAtDeadline = false
  const started = performance.now()
  const client = async (c: number) => {
    for (let r = 0; r < requests; r++) {
      if (Date.now() > deadline) {
        stoppedAtDeadline = true
        return
      }
      const texts = Array.from(
        { length: TEXTS_PER_REQUEST },
        (_, k) => SAMPLE[(c * 31 + r * 7 + k) % SAMPLE.length],
      )
      const t0 = performance.now()
      let status: string
      try {
        status = String(await post(agent, url, token, JSON.stringify({ texts })))
      } catch (err) {
        status = (err as Error).message
      }
      latenciesMs.push(performance.now() - t0)
      if (status !== '200') errors++
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)))
  agent.destroy()
  return {
    latenciesMs,
    errors,
    statuses,
    seconds: (performance.now() - started) / 1000,
    stoppedAtDeadline,
  }
}

const pct = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? NaN

export interface Outcome {
  latenciesMs: number[]
  errors: number
  statuses: Map<string, number>
  seconds: number
  stoppedAtDeadline: boolean
}

function report(label: string, o: Outcome, extra = ''): void {
  const sorted = [...o.latenciesMs].sort((a, b) => a - b)
  const n = sorted.length
  console.log(
    `${label}: ${n} requests (${CLIENTS} clients × ${REQUESTS}, ${TEXTS_PER_REQUEST} text(s) each) ` +
      `in ${o.seconds.toFixed(2)} s — errors ${o.errors}, p50 ${pct(sorted, 0.5).toFixed(1)} ms, ` +
      `p99 ${pct(sorted, 0.99).toFixed(1)} ms, ${(n / o.seconds).toFixed(0)} requests/s, ` +
      `${((n * TEXTS_PER_REQUEST) / o.seconds).toFixed(0)} texts/s${extra}`,
  )
  if (o.errors > 0) console.log('  statuses:', Object.fromEntries(o.statuses))
  if (o.stoppedAtDeadline) console.log(`  stopped at the ${MAX_SECONDS} s limit`)
}

/** Serves `predictor` on loopback, warms it up (5 requests a client, not counted), then loads it. */
async function inProcess(
  predictor: Predictor,
  runId: number,
  merge: boolean,
): Promise<{ outcome: Outcome; stats: string }> {
  const token = generateToken()
  // One token sends every request: no rate limit (the default would answer 429 after 600).
  const server = await startPredictionServer({
    predictor,
    runId,
    token,
    merge,
    rateLimit: MAX_RATE_LIMIT,
  })
  try {
    await load(server.url, token, 5)
    const before = server.stats()
    const outcome = await load(server.url, token)
    const s = server.stats()
    const calls = s.calls - before.calls
    const served = s.requests - before.requests
    const stats =
      `; ${calls} predictor calls for ${served} requests ` +
      `(mean ${(served / calls).toFixed(1)} merged, max ${s.maxRequestsPerCall})`
    return { outcome, stats }
  } finally {
    await server.close()
  }
}

async function main(): Promise<number> {
  if (args['before-after']) {
    return beforeAfter({
      bundle: args.bundle,
      maxLength: Number(args['max-length']),
      rounds: Number(args.rounds),
      steps: args.steps,
      sides: args.sides ? (JSON.parse(args.sides) as Record<string, WorkerPredictorOptions>) : {},
      run: (predictor) => inProcess(predictor, 0, true),
      report,
    })
  }
  if (args.url) {
    const host = new URL(args.url).hostname
    if (!isLoopback(host)) {
      console.error(`Refusing to load ${host}: this benchmark runs on loopback only.`)
      return 2
    }
    const token = args.token ?? process.env.CTS_TOKEN
    if (!token) {
      console.error('Give the server token with --token or CTS_TOKEN.')
      return 2
    }
    console.log(`Target: the running server at ${args.url}`)
    const o = await load(args.url, token)
    report('external server', o)
    return o.errors === 0 ? 0 : 1
  }
  let predictor: Predictor
  let runId: number
  if (args.run) {
    runId = Number(args.run)
    // Loaded here: --before-after and --url need no workspace stack.
    const { workspaceHome } = await import('../../main/cli/context')
    const home = workspaceHome(args.home)
    const inMain = args['main-thread']
    predictor = await (inMain ? loadRunPredictor : loadRunPredictorInWorker)(home, runId)
    console.log(
      `Target: trained run ${runId} of ${home} (labels ${predictor.labels.join(', ')}), ` +
        `model in ${inMain ? 'the main thread' : 'worker threads, as cts serve runs it'}`,
    )
  } else {
    runId = 0
    const delayMs = Number(args['delay-ms'])
    predictor = testPredictor({ delayMs })
    console.log(
      'Target: the in-test predictor double (no model; pass --run ID --home DIR for a real run)' +
        (delayMs ? `, simulating ${delayMs} ms of model time per call` : ''),
    )
  }
  // Two rounds each way, alternating, so warm-up and machine noise show instead of biasing one.
  const modes = args.compare ? [false, true, false, true] : [!args['no-merge']]
  let errors = 0
  try {
    for (const merge of modes) {
      const { outcome, stats } = await inProcess(predictor, runId, merge)
      report(merge ? 'merging on' : 'merging off', outcome, stats)
      errors += outcome.errors
    }
  } finally {
    await predictor.release()
  }
  return errors === 0 ? 0 : 1
}

process.exitCode = await main()
