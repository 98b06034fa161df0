// The prediction server over real HTTP on loopback, with a test-double predictor: routes, auth,
// every 4xx, input order, batching of concurrent requests, and what reaches the log.
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES, MAX_TEXT_CHARS, MAX_TEXTS_PER_REQUEST } from '../../../main/serve/limits'
import { startPredictionServer, type PredictionServer } from '../../../main/serve/server'
import { testPredictor, TEST_LABELS, type TestPredictor } from './test-predictor'

const TOKEN = 'test-token-0123456789abcdef'
const servers: PredictionServer[] = []

async function serve(predictor: TestPredictor = testPredictor(), extra: { merge?: boolean } = {}) {
  const log: string[] = []
  const server = await startPredictionServer({
    predictor,
    runId: 7,
    token: TOKEN,
    version: '9.9.9',
    log: (l) => log.push(l),
    ...extra,
  })
  servers.push(server)
  return { server, log, predictor }
}

afterEach(async () => {
  while (servers.length) await servers.pop()!.close()
})

interface CallOptions {
  method?: string
  token?: string | null
  authorization?: string
  contentType?: string | null
  body?: string
}

async function call(server: PredictionServer, path: string, o: CallOptions = {}) {
  const headers: Record<string, string> = {}
  const token = o.token === undefined ? TOKEN : o.token
  if (o.authorization) headers.authorization = o.authorization
  else if (token !== null) headers.authorization = `Bearer ${token}`
  const contentType = o.contentType === undefined ? 'application/json' : o.contentType
  if (contentType !== null && o.body !== undefined) headers['content-type'] = contentType
  const res = await fetch(server.url + path, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers,
    body: o.body,
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined }
}

const predict = (server: PredictionServer, body: unknown, o: CallOptions = {}) =>
  call(server, '/predict', { body: typeof body === 'string' ? body : JSON.stringify(body), ...o })

/** Expect exactly the error body { error: { code, message } } and return the message. */
function errorOf(r: { status: number; json: unknown }, status: number, code: string): string {
  expect(r.status).toBe(status)
  const body = r.json as { error: { code: string; message: string } }
  expect(Object.keys(body)).toEqual(['error'])
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message'])
  expect(body.error.code).toBe(code)
  return body.error.message
}

describe('prediction server', () => {
  it('listens on 127.0.0.1 by default', async () => {
    const { server } = await serve()
    expect(server.host).toBe('127.0.0.1')
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    expect(server.port).toBeGreaterThan(0)
  })

  it('answers /health with the run and its labels, without a token', async () => {
    const { server } = await serve()
    const r = await call(server, '/health', { token: null })
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ status: 'ok', run_id: 7, labels: TEST_LABELS })
  })

  it('predicts each text in input order, with the most probable label', async () => {
    const { server } = await serve()
    const texts = ['x'.repeat(30), 'ab', '体检正常', 'chest pain!']
    const r = await predict(server, { texts })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(r.json).toEqual({
      predictions: [
        { label: '疾病', probabilities: { 健康: 0.25, 疾病: 0.75 } },
        { label: '健康', probabilities: { 健康: 0.833333, 疾病: 0.166667 } },
        { label: '健康', probabilities: { 健康: 0.714286, 疾病: 0.285714 } },
        { label: '疾病', probabilities: { 健康: 0.47619, 疾病: 0.52381 } },
      ],
    })
  })

  it('refuses /predict without the token, with a wrong one, or with another scheme', async () => {
    const { server, predictor } = await serve()
    const body = { texts: ['a'] }
    const missing = await predict(server, body, { token: null })
    expect(errorOf(missing, 401, 'unauthorized')).toMatch(/Authorization: Bearer/)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="cts"')
    errorOf(await predict(server, body, { token: 'wrong' }), 401, 'unauthorized')
    const sameLength = TOKEN.slice(0, -1) + (TOKEN.endsWith('f') ? 'e' : 'f')
    errorOf(await predict(server, body, { token: sameLength }), 401, 'unauthorized')
    errorOf(await predict(server, body, { authorization: `Basic ${TOKEN}` }), 401, 'unauthorized')
    errorOf(await predict(server, body, { authorization: 'Bearer' }), 401, 'unauthorized')
    expect(predictor.calls).toEqual([])
    expect((await predict(server, body, { authorization: `bearer ${TOKEN}` })).status).toBe(200)
  })

  it('refuses requests addressed to another host name (DNS rebinding), even with the token', async () => {
    const { server, predictor } = await serve()
    const send = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${server.url}/predict`, {
          method: 'POST',
          headers: { host, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        })
        req.on('response', (res) => {
          let body = ''
          res.on('data', (c) => (body += c))
          res.on('end', () => resolve({ status: res.statusCode!, body }))
        })
        req.on('error', reject)
        req.end('{"texts":["a"]}')
      })
    const evil = await send(`evil.example:${server.port}`)
    expect(evil.status).toBe(403)
    expect(JSON.parse(evil.body).error).toEqual({
      code: 'forbidden',
      message: `This server answers only requests addressed to 127.0.0.1:${server.port} or localhost:${server.port}.`,
    })
    expect((await send(`127.0.0.1:${server.port + 1}`)).status).toBe(403)
    expect(predictor.calls).toEqual([])
    expect((await send(`localhost:${server.port}`)).status).toBe(200)
  })

  it('answers 404 for an unknown path and 405 (with Allow) for a wrong method', async () => {
    const { server } = await serve()
    expect(errorOf(await call(server, '/predictions'), 404, 'not-found')).toMatch(/openapi\.json/)
    const get = await call(server, '/predict')
    expect(errorOf(get, 405, 'method-not-allowed')).toBe('/predict accepts POST only.')
    expect(get.headers.get('allow')).toBe('POST')
    const post = await call(server, '/health', { body: '{}' })
    errorOf(post, 405, 'method-not-allowed')
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('answers 415 unless the body is declared as JSON', async () => {
    const { server } = await serve()
    const body = JSON.stringify({ texts: ['a'] })
    const plain = await predict(server, body, { contentType: 'text/plain' })
    expect(errorOf(plain, 415, 'unsupported-media-type')).toMatch(/got "text\/plain"/)
    errorOf(
      await predict(server, body, { contentType: 'application/json; charset=latin1' }),
      415,
      'unsupported-media-type',
    )
    const ok = await predict(server, body, { contentType: 'application/json; charset=UTF-8' })
    expect(ok.status).toBe(200)
  })

  it('answers 415 when no Content-Type is sent', async () => {
    const { server } = await serve()
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.url}/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      req.on('response', (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
      req.end('{"texts":["a"]}')
    })
    expect(r.status).toBe(415)
    expect(JSON.parse(r.body).error.message).toMatch(/no Content-Type was sent/)
  })

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const { server, predictor } = await serve()
    const big = JSON.stringify({ texts: ['a'.repeat(MAX_BODY_BYTES)] })
    errorOf(await predict(server, big), 413, 'payload-too-large')
    // Chunked, so the server only finds out while reading.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      })
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      for (let i = 0; i < 20; i++) req.write('x'.repeat(100_000))
      req.end()
    })
    expect(streamed).toBe(413)
    expect(predictor.calls).toEqual([])
  })

  it('answers 400 with a message that says what is wrong', async () => {
    const { server, predictor } = await serve()
    const cases: [string, string, string | RegExp][] = [
      ['{"texts": [', 'bad-json', 'The body is not valid JSON (it ends too early).'],
      ['{"texts": x}', 'bad-json', 'The body is not valid JSON (it has an unexpected character).'],
      ['{,}', 'bad-json', 'The body is not valid JSON (error at character 1).'],
      ['', 'bad-json', 'The body is empty; send {"texts": ["…"]}.'],
      ['["a"]', 'bad-input', 'The body must be a JSON object like {"texts": ["…"]}.'],
      ['{"text": ["a"]}', 'bad-input', '"texts" is missing; send {"texts": ["…"]}.'],
      ['{"texts": "a"}', 'bad-input', '"texts" must be an array of strings.'],
      ['{"texts": []}', 'bad-input', '"texts" is empty; send at least one text.'],
      ['{"texts": ["a", "b", 3]}', 'bad-input', 'texts[2] must be a string (got number).'],
      ['{"texts": ["a", null]}', 'bad-input', 'texts[1] must be a string (got null).'],
      ['{"texts": ["a", "  "]}', 'bad-input', 'texts[1] is empty.'],
      [
        JSON.stringify({ texts: Array(MAX_TEXTS_PER_REQUEST + 1).fill('a') }),
        'bad-input',
        `"texts" has ${MAX_TEXTS_PER_REQUEST + 1} entries; at most ${MAX_TEXTS_PER_REQUEST} are accepted per request.`,
      ],
      [
        JSON.stringify({ texts: ['a', 'b', 'c'.repeat(MAX_TEXT_CHARS + 1)] }),
        'bad-input',
        `texts[2] has ${MAX_TEXT_CHARS + 1} characters; at most ${MAX_TEXT_CHARS} are accepted.`,
      ],
    ]
    for (const [body, code, message] of cases)
      expect(errorOf(await predict(server, body), 400, code), body.slice(0, 40)).toEqual(message)
    expect(predictor.calls).toEqual([])
    // The limits themselves are accepted.
    const many = await predict(server, { texts: Array(MAX_TEXTS_PER_REQUEST).fill('b') })
    expect(many.status).toBe(200)
    expect(many.json.predictions).toHaveLength(MAX_TEXTS_PER_REQUEST)
    const long = await predict(server, { texts: ['c'.repeat(MAX_TEXT_CHARS)] })
    expect(long.status).toBe(200)
    expect(predictor.calls).toEqual([MAX_TEXTS_PER_REQUEST, 1])
  })

  it('describes /predict and /health as OpenAPI 3.1 with the bearer scheme', async () => {
    const { server } = await serve()
    const r = await call(server, '/openapi.json', { token: null })
    expect(r.status).toBe(200)
    const doc = r.json
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info.version).toBe('9.9.9')
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/predict'])
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    })
    const post = doc.paths['/predict'].post
    expect(post.security).toEqual([{ bearerAuth: [] }])
    expect(Object.keys(post.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '405',
      '413',
      '415',
      '429',
      '500',
      '503',
    ])
    expect(doc.components.schemas.PredictRequest.properties.texts.maxItems).toBe(
      MAX_TEXTS_PER_REQUEST,
    )
    expect(doc.components.schemas.Prediction.properties.label.enum).toEqual(TEST_LABELS)
    // Every $ref points at a schema the document defines.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)]
    expect(refs.length).toBeGreaterThan(0)
    for (const [, name] of refs) expect(doc.components.schemas).toHaveProperty(name)
  })

  it('merges concurrent requests into fewer predictor calls, each answer its own texts', async () => {
    const { server, predictor } = await serve(testPredictor({ delayMs: 30 }))
    const bodies = Array.from({ length: 10 }, (_, i) => ({
      texts: ['y'.repeat(i + 1), 'z'.repeat(10 * (i + 1))],
    }))
    const answers = await Promise.all(bodies.map((b) => predict(server, b)))
    answers.forEach((a, i) => {
      expect(a.status).toBe(200)
      const p = a.json.predictions.map(
        (x: { probabilities: Record<string, number> }) => x.probabilities['疾病'],
      )
      expect(p).toEqual([
        Number(((i + 1) / (i + 11)).toFixed(6)),
        Number(((10 * (i + 1)) / (10 * (i + 1) + 10)).toFixed(6)),
      ])
    })
    expect(predictor.calls.reduce((a, b) => a + b, 0)).toBe(20)
    expect(predictor.calls.length).toBeLessThan(10)
    expect(server.stats()).toMatchObject({ requests: 10, texts: 20, calls: predictor.calls.length })
  })

  it('makes one predictor call per request when merging is off', async () => {
    const { server, predictor } = await serve(testPredictor({ delayMs: 10 }), { merge: false })
    await Promise.all(Array.from({ length: 5 }, () => predict(server, { texts: ['a', 'b'] })))
    expect(predictor.calls).toEqual([2, 2, 2, 2, 2])
  })

  it('answers 500 when the model fails, and logs neither texts nor their error message', async () => {
    const { server, log } = await serve(testPredictor({ fail: true }))
    const secret = 'Patient 张三 MRN-448812 chest pain'
    const r = await predict(server, { texts: [secret] })
    expect(errorOf(r, 500, 'internal')).toBe('The model failed on this request; it can be retried.')
    expect(log).toEqual([
      'request failed (TypeError)',
      expect.stringMatching(/^POST \/predict 500 0 texts [\d.]+ ms$/),
    ])
  })

  it('logs one line per request with the endpoint only, never the texts or an unknown path', async () => {
    const { server, log } = await serve()
    const secret = 'Patient 张三 MRN-448812'
    await predict(server, { texts: [secret, 'b'] })
    await predict(server, { texts: [secret, 7] })
    await predict(server, `{"texts": ["${secret}"`)
    await call(server, `/${encodeURIComponent(secret)}`)
    expect(log.map((l) => l.replace(/[\d.]+ ms$/, 'T ms'))).toEqual([
      'POST /predict 200 2 texts T ms',
      'POST /predict 400 0 texts T ms',
      'POST /predict 400 0 texts T ms',
      'GET (unknown path) 404 0 texts T ms',
    ])
  })

  it('stops accepting connections on close', async () => {
    const { server } = await serve()
    await server.close()
    servers.pop()
    await expect(fetch(server.url + '/health')).rejects.toThrow()
  })
})
