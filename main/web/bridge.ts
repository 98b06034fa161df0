// Loopback HTTP bridge: serves the built renderer and forwards the contract's calls and events to
// the same services as the desktop app. Used by the e2e tests and `npm run web`.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { CallEnvelope, EventName, Events } from '../../preload/contract'
import { SECURITY_HEADERS } from '../shared/security-headers'
import { lockableBoot } from '../root/lockable-boot'
import { dispatchCall, isCallName, type Handlers } from '../root/dispatch'
import { bridgeClientScript } from './client-bundle'
import { EventStream } from './event-stream'
import {
  checkHost,
  checkOrigin,
  MAX_BODY_BYTES,
  presentedToken,
  tokenCookieName,
} from './http-guards'
import { BodyTooLargeError, readBody, tokensEqual } from '../shared/http-body'
import { BRIDGE_SCRIPT_PATH, loadStatic } from './static-files'

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))

export interface BridgeOptions {
  /** Workspace folder (database, runs). Used when no handlers are given. */
  home: string
  /** 0 or absent: a free port chosen by the system. */
  port?: number
  rendererDir?: string
  /** Use these handlers instead of opening the services on `home` (tests, embedding). */
  handlers?: Handlers
  /** Request body limit; MAX_BODY_BYTES (200 MB) unless a test needs a small one. */
  maxBodyBytes?: number
  log?: (line: string) => void
}

export interface Bridge {
  /** http://127.0.0.1:PORT/?token=… — opening it sets the session cookie and lands on the app. */
  url: string
  /** http://127.0.0.1:PORT */
  origin: string
  token: string
  /** Pushes an event to every connected page (the services' publish goes here too). */
  publish<E extends EventName>(event: E, payload: Events[E]): void
  close(): Promise<void>
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const log = options.log ?? ((line: string) => console.error(line))
  const token = randomBytes(32).toString('base64url')
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
  const limitText =
    maxBodyBytes >= 1024 * 1024
      ? `${Math.round(maxBodyBytes / (1024 * 1024))} MB`
      : `${Math.ceil(maxBodyBytes / 1024)} KB`
  const events = new EventStream()
  const publish = <E extends EventName>(event: E, payload: Events[E]) =>
    events.publish(event, payload)

  const clientScript = await bridgeClientScript()
  const services = options.handlers
    ? { handlers: options.handlers, close: async () => {} }
    : await lockableBoot({ home: options.home, publish }).then((backend) => ({
        handlers: backend.handlers,
        close: () => backend.shutdown(),
      }))

  let port = 0
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`[cts] bridge request failed: ${error instanceof Error ? error.name : typeof error}`)
      if (!res.headersSent) sendText(res, 500, 'Internal error')
      else res.end()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkHost(req, port) ?? checkOrigin(req)
    if (refusal) return sendText(res, 403, refusal)
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)

    // The handshake: the printed URL carries the token once; it becomes an HttpOnly cookie and
    // leaves the address bar, so page scripts never see it.
    const offered = url.searchParams.get('token')
    if (req.method === 'GET' && url.pathname === '/' && offered !== null) {
      if (!tokensEqual(offered, token))
        return sendText(res, 401, 'This link is not valid any more.')
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'Set-Cookie': `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
        'Cache-Control': 'no-store',
      })
      return void res.end()
    }

    if (!tokensEqual(presentedToken(req, port), token)) {
      return sendText(
        res,
        401,
        'No session: open the address the server printed (it carries ?token=).',
      )
    }

    if (url.pathname.startsWith('/api/call/')) {
      if (req.method !== 'POST') return sendText(res, 405, 'Use POST.')
      return handleCall(req, res, url.pathname.slice('/api/call/'.length))
    }
    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return sendText(res, 405, 'Use GET.')
      return events.attach(res, SECURITY_HEADERS)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Use GET.')
    if (url.pathname === BRIDGE_SCRIPT_PATH) {
      return send(res, 200, 'text/javascript; charset=utf-8', clientScript, {
        'Cache-Control': 'no-store',
      })
    }
    const file = await loadStatic(rendererDir, url.pathname)
    if (!file) {
      const missingApp = url.pathname === '/' || !url.pathname.includes('.')
      return sendText(
        res,
        404,
        missingApp ? 'The app is not built yet: run `npm run build:renderer`.' : 'Not found.',
      )
    }
    const cache = file.contentType.startsWith('text/html') ? 'no-store' : 'no-cache'
    return send(res, 200, file.contentType, file.body, { 'Cache-Control': cache })
  }

  async function handleCall(
    req: IncomingMessage,
    res: ServerResponse,
    channel: string,
  ): Promise<void> {
    if (!isCallName(channel)) return refuse(res, 404, 'not-found', `Unknown call "${channel}".`)
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return refuse(
        res,
        415,
        'bad-input',
        'Send the arguments as JSON (Content-Type: application/json).',
      )
    }
    let body: Buffer
    try {
      body = await readBody(req, maxBodyBytes)
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error
      res.setHeader('Connection', 'close')
      return refuse(
        res,
        413,
        'bad-input',
        `The request is larger than ${limitText}. Import a smaller file.`,
      )
    }
    let args: unknown = {}
    if (body.length > 0) {
      try {
        args = JSON.parse(body.toString('utf8'))
      } catch {
        return refuse(res, 400, 'bad-input', 'The request body is not valid JSON.')
      }
    }
    return sendEnvelope(res, 200, await dispatchCall(services.handlers, channel, args, { log }))
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    // Port taken or not allowed: release the workspace before reporting it.
    events.close()
    await services.close()
    throw error
  }
  port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`

  let closed: Promise<void> | undefined
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    publish,
    close() {
      closed ??= (async () => {
        events.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        await services.close()
      })()
      return closed
    },
  }
}

/**
 * A call's own outcome, failures included, is a 200 with its envelope (the page shows the
 * message; the browser logs no failed request). Other statuses are for the transport itself.
 */
function sendEnvelope(res: ServerResponse, status: number, envelope: CallEnvelope): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(envelope), {
    'Cache-Control': 'no-store',
  })
}

/** A request that never reached a handler: a transport status with the same envelope shape. */
function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  sendEnvelope(res, status, { ok: false, error: { code, message } })
}

function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain; charset=utf-8', text + '\n', { 'Cache-Control': 'no-store' })
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'Content-Type': contentType })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}
