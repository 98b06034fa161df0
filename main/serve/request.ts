// Reading and checking a POST /predict request: content type, size, JSON, the texts. Every failure
// is an ApiError whose message says exactly what to fix, and never quotes the texts themselves.
import type { IncomingMessage } from 'node:http'
import { readBody as readLimitedBody } from '../shared/http-body'
import { MAX_BODY_BYTES, MAX_TEXTS_PER_REQUEST, MAX_TEXT_CHARS } from './limits'

/** An answer other than 200: HTTP status, a stable code and a message for the caller. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** 415 unless the body is declared as JSON (application/json, UTF-8 if a charset is named). */
export function checkJsonContentType(req: IncomingMessage): void {
  const header = req.headers['content-type'] ?? ''
  const [type, ...params] = header.split(';').map((s) => s.trim().toLowerCase())
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length)
  const ok = type === 'application/json' && (!charset || /^"?utf-8"?$/.test(charset))
  if (!ok)
    throw new ApiError(
      415,
      'unsupported-media-type',
      header
        ? `The body must be JSON sent as "Content-Type: application/json" (got "${header.slice(0, 100)}").`
        : 'The body must be JSON sent as "Content-Type: application/json" (no Content-Type was sent).',
    )
}

const tooLarge = () =>
  new ApiError(
    413,
    'payload-too-large',
    `The body is larger than ${MAX_BODY_BYTES} bytes; send fewer or shorter texts per request.`,
  )

/** The whole body, or 413 as soon as it passes the limit (the rest is read and dropped). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return readLimitedBody(req, limit, tooLarge)
}

const badInput = (message: string) => new ApiError(400, 'bad-input', message)

/** The texts of a {"texts": [...]} body, checked one by one (the first problem is reported). */
export function parsePredictBody(body: Buffer): string[] {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch (err) {
    throw new ApiError(400, 'bad-json', badJsonMessage(body, err))
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badInput('The body must be a JSON object like {"texts": ["…"]}.')
  const texts = (value as { texts?: unknown }).texts
  if (texts === undefined) throw badInput('"texts" is missing; send {"texts": ["…"]}.')
  if (!Array.isArray(texts)) throw badInput('"texts" must be an array of strings.')
  if (texts.length === 0) throw badInput('"texts" is empty; send at least one text.')
  if (texts.length > MAX_TEXTS_PER_REQUEST)
    throw badInput(
      `"texts" has ${texts.length} entries; at most ${MAX_TEXTS_PER_REQUEST} are accepted per request.`,
    )
  texts.forEach((t: unknown, i) => {
    if (typeof t !== 'string')
      throw badInput(`texts[${i}] must be a string (got ${t === null ? 'null' : typeof t}).`)
    if (t.trim() === '') throw badInput(`texts[${i}] is empty.`)
    if (t.length > MAX_TEXT_CHARS)
      throw badInput(
        `texts[${i}] has ${t.length} characters; at most ${MAX_TEXT_CHARS} are accepted.`,
      )
  })
  return texts as string[]
}

/** Where the JSON breaks, without quoting the body (V8's own message quotes it). */
function badJsonMessage(body: Buffer, err: unknown): string {
  if (body.length === 0) return 'The body is empty; send {"texts": ["…"]}.'
  if (!(err instanceof SyntaxError)) return 'The body is not valid UTF-8 text.'
  const at = /at position (\d+)/.exec(err.message)
  if (at) return `The body is not valid JSON (error at character ${at[1]}).`
  if (/unexpected end/i.test(err.message)) return 'The body is not valid JSON (it ends too early).'
  return 'The body is not valid JSON (it has an unexpected character).'
}
