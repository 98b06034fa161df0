// The prediction HTTP(S) server: POST /predict, GET /health, GET /openapi.json. Loopback unless
// told otherwise (then only over TLS); /predict needs a bearer token, rate limited per token;
// texts never reach the log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { CtsError } from '../shared'
import { argmax } from '../ml/eval/metrics'
import { roundProbability } from '../ml/infer/probabilities'
import type { TokenCheck } from '../services/tokens-service'
import { bearerToken, SESSION_TOKEN_NAME, UNKNOWN_TOKEN_NAME } from './auth'
import { hostProblem, isLoopback, plainHostProblem } from './host-check'
import { PredictionBatcher, QueueFullError, type BatcherStats } from './batcher'
import {
  DEFAULT_HOST,
  DEFAULT_RATE_LIMIT,
  MAX_QUEUED_TEXTS,
  MAX_TEXTS_PER_REQUEST,
  REQUEST_TIMEOUT_MS,
  RETRY_AFTER_SECONDS,
} from './limits'
import { openApiDocument } from './openapi'
import type { Predictor } from './predictor'
import { RateLimiter } from './rate-limit'
import type { TlsFiles } from './tls'
import { tokensEqual } from '../shared/http-body'
import { ApiError, checkJsonContentType, parsePredictBody, readBody } from './request'

export interface ServeOptions {
  predictor: Predictor
  /** The run the predictor comes from (reported by /health and openapi.json). */
  runId: number
  /** One token accepted besides the named ones (--token, $CTS_TOKEN or generated); counted as '(session)'. */
  token?: string
  /** The workspace's named tokens (cts token create); at least one of token and tokens is needed. */
  tokens?: { check(presented: string | undefined): Promise<TokenCheck> }
  /** Requests per minute per token (default DEFAULT_RATE_LIMIT); past it 429 with Retry-After. */
  rateLimit?: number
  /** Certificate and key (PEM): HTTPS. Needed for any host that is not loopback. */
  tls?: TlsFiles
  /** Each /predict request with its token's name ('(unknown)' for none or a wrong one) and status. */
  onTokenRequest?: (name: string, status: number) => void
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: any free port (see PredictionServer.port). */
  port?: number
  /** The API version in openapi.json (the app's version). */
  version?: string
  /** false: one predictor call per request instead of merging concurrent ones. */
  merge?: boolean
  /** One line per request: method, endpoint, status, number of texts, milliseconds. */
  log?: (line: string) => void
}

export interface PredictionServer {
  host: string
  port: number
  /** http(s)://host:port (IPv6 hosts in brackets). */
  url: string
  stats(): BatcherStats
  /** Stops accepting connections and resolves once open requests are answered. */
  close(): Promise<void>
}

export interface PredictionDto {
  label: string
  probabilities: Record<string, number>
}

/** The JSON of one prediction: the most probable label and every label's rounded probability. */
export function predictionDto(labels: string[], row: number[]): PredictionDto {
  const best = argmax(row)
  const probabilities: Record<string, number> = {}
  labels.forEach((l, j) => (probabilities[l] = roundProbability(row[j])))
  return { label: labels[best], probabilities }
}

/** Who made a request: the token's name once it is known (for counts and the rate limit). */
type Caller = { token?: string }
type Route = {
  methods: string[]
  handle(req: IncomingMessage, caller: Caller): Promise<Answer> | Answer
}
type Answer = { body: unknown; texts?: number }

/** How long close() waits for open requests before cutting their connections. */
const CLOSE_GRACE_MS = 5000

const unauthorized = (message: string) =>
  new ApiError(401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer realm="cts"' })

export async function startPredictionServer(o: ServeOptions): Promise<PredictionServer> {
  if (o.token === undefined && !o.tokens)
    throw new CtsError('bad-input', 'The prediction server needs a token or named tokens.')
  const plain = plainHostProblem(o.host ?? DEFAULT_HOST, !!o.tls)
  if (plain) throw new CtsError('bad-input', plain)
  const limiter = new RateLimiter(o.rateLimit ?? DEFAULT_RATE_LIMIT)
  /** The caller's token name, or an ApiError: 401 for a missing/unknown/expired/revoked token, 429 past the limit. */
  const authorize = async (req: IncomingMessage, caller: Caller) => {
    const presented = bearerToken(req)
    if (o.token !== undefined && tokensEqual(presented, o.token)) caller.token = SESSION_TOKEN_NAME
    else {
      const check = o.tokens
        ? await o.tokens.check(presented)
        : ({ ok: false, name: null } as const)
      if (!check.ok) {
        // Refused requests without a known token are counted too (a guessing client shows up).
        caller.token = check.name ?? UNKNOWN_TOKEN_NAME
        throw unauthorized(
          check.name ? check.message : 'A valid "Authorization: Bearer <token>" header is needed.',
        )
      }
      caller.token = check.name
    }
    const wait = limiter.take(caller.token)
    if (wait > 0)
      throw new ApiError(
        429,
        'rate-limited',
        `This token may make ${limiter.perMinute} requests per minute; retry in ${wait} s.`,
        { 'Retry-After': String(wait) },
      )
  }
  const labels = [...o.predictor.labels]
  const batcher = new PredictionBatcher(o.predictor, {
    maxBatchTexts: MAX_TEXTS_PER_REQUEST,
    maxQueuedTexts: MAX_QUEUED_TEXTS,
    merge: o.merge,
  })
  const openapi = JSON.stringify(
    openApiDocument({ runId: o.runId, labels, version: o.version ?? '0.0.0' }),
  )
  const routes: Record<string, Route> = {
    '/predict': {
      methods: ['POST'],
      async handle(req, caller) {
        await authorize(req, caller)
        checkJsonContentType(req)
        const texts = parsePredictBody(await readBody(req))
        const rows = await batcher.predict(texts)
        return {
          body: { predictions: rows.map((r) => predictionDto(labels, r)) },
          texts: texts.length,
        }
      },
    },
    '/health': {
      methods: ['GET', 'HEAD'],
      handle: () => ({ body: { status: 'ok', run_id: o.runId, labels } }),
    },
    '/openapi.json': { methods: ['GET', 'HEAD'], handle: () => ({ body: openapi }) },
  }

  const host = o.host ?? DEFAULT_HOST
  // Only a loopback server can know every name it is reached by; on a network, the token guards.
  const checkHost = isLoopback(host)
  let port = 0
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now()
    // Split by hand: URL parsing throws on some targets, and the query string plays no part.
    const path = (req.url ?? '/').split('?')[0]
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined
    let status = 200
    let texts = 0
    const caller: Caller = {}
    try {
      const wrongHost = checkHost ? hostProblem(req, host, port) : null
      if (wrongHost) throw new ApiError(403, 'forbidden', wrongHost)
      if (!route)
        throw new ApiError(
          404,
          'not-found',
          `There is no ${path.slice(0, 200)}; the API is described at GET /openapi.json.`,
        )
      if (!route.methods.includes(req.method ?? ''))
        throw new ApiError(
          405,
          'method-not-allowed',
          `${path} accepts ${route.methods.join(' and ')} only.`,
          {
            Allow: route.methods.join(', '),
          },
        )
      const answer = await route.handle(req, caller)
      texts = answer.texts ?? 0
      send(res, 200, answer.body)
    } catch (err) {
      const e = toApiError(err, o.log)
      status = e.status
      send(res, e.status, { error: { code: e.code, message: e.message } }, e.headers)
    }
    // Endpoint names only: an unknown path is whatever a client typed, so it is not logged.
    const ms = (performance.now() - started).toFixed(1)
    o.log?.(`${req.method} ${route ? path : '(unknown path)'} ${status} ${texts} texts ${ms} ms`)
    if (caller.token) o.onTokenRequest?.(caller.token, status)
  }

  const serverOptions = { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: 10_000 }
  // handle() answers every error itself; this only guards against a failure while answering.
  const onRequest = (req: IncomingMessage, res: ServerResponse) =>
    void handle(req, res).catch(() => res.destroy())
  const server: Server = o.tls
    ? createHttpsServer({ ...serverOptions, cert: o.tls.cert, key: o.tls.key }, onRequest)
    : createServer(serverOptions, onRequest)
  await listen(server, host, o.port ?? 0)
  port = (server.address() as AddressInfo).port
  return {
    host,
    port,
    url: `${o.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stats: () => batcher.snapshot(),
    close: () =>
      new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref()
        // A keep-alive connection still answering (or draining a refused body) turns idle later.
        const sweep = setInterval(() => server.closeIdleConnections(), 50).unref()
        server.close(() => {
          clearTimeout(cut)
          clearInterval(sweep)
          resolve()
        })
        server.closeIdleConnections()
      }),
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const json = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  })
  res.end(json)
}

function toApiError(err: unknown, log: ServeOptions['log']): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof QueueFullError)
    return new ApiError(503, 'busy', 'Too many texts are waiting for the model; retry shortly.', {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    })
  // The class only: a model error's message might quote the text it failed on.
  log?.(`request failed (${err instanceof Error ? err.name : typeof err})`)
  return new ApiError(500, 'internal', 'The model failed on this request; it can be retried.')
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(
          new CtsError(
            'conflict',
            `Port ${port} on ${host} is in use; choose another with --port.`,
          ),
        )
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
        reject(new CtsError('bad-input', `${host} is not an address of this computer.`))
      else if (err.code === 'EACCES')
        reject(
          new CtsError('forbidden', `Port ${port} needs more privileges; choose one above 1023.`),
        )
      else reject(err)
    })
    server.listen(port, host, () => resolve())
  })
}
