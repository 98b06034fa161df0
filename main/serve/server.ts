// The prediction HTTP server (node:http): POST /predict, GET /health, GET /openapi.json.
// Loopback unless told otherwise; /predict needs the bearer token; texts never reach the log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CtsError } from '../shared'
import { argmax } from '../ml/eval/metrics'
import { roundProbability } from '../ml/infer/probabilities'
import { hasBearerToken } from './auth'
import { hostProblem, isLoopback } from './host-check'
import { PredictionBatcher, QueueFullError, type BatcherStats } from './batcher'
import {
  DEFAULT_HOST,
  MAX_QUEUED_TEXTS,
  MAX_TEXTS_PER_REQUEST,
  REQUEST_TIMEOUT_MS,
  RETRY_AFTER_SECONDS,
} from './limits'
import { openApiDocument } from './openapi'
import type { Predictor } from './predictor'
import { ApiError, checkJsonContentType, parsePredictBody, readBody } from './request'

export interface ServeOptions {
  predictor: Predictor
  /** The run the predictor comes from (reported by /health and openapi.json). */
  runId: number
  token: string
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
  /** http://host:port (IPv6 hosts in brackets). */
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

type Route = { methods: string[]; handle(req: IncomingMessage): Promise<Answer> | Answer }
type Answer = { body: unknown; texts?: number }

/** How long close() waits for open requests before cutting their connections. */
const CLOSE_GRACE_MS = 5000

export async function startPredictionServer(o: ServeOptions): Promise<PredictionServer> {
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
      async handle(req) {
        if (!hasBearerToken(req, o.token))
          throw new ApiError(
            401,
            'unauthorized',
            'A valid "Authorization: Bearer <token>" header is needed.',
            {
              'WWW-Authenticate': 'Bearer realm="cts"',
            },
          )
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
      const answer = await route.handle(req)
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
  }

  const server = createServer(
    { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: 10_000 },
    // handle() answers every error itself; this only guards against a failure while answering.
    (req, res) => void handle(req, res).catch(() => res.destroy()),
  )
  await listen(server, host, o.port ?? 0)
  port = (server.address() as AddressInfo).port
  return {
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
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
