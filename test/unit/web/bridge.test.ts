// The loopback bridge over real HTTP with the real services: token, Host and Origin checks, the
// shared validation, a project created through HTTP, server-sent events and the served page.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CtsApi, JobProgressDto, ProjectDto } from '../../../preload/contract'
import { startBridge, type Bridge } from '../../../main/web/bridge'
import { CONTENT_SECURITY_POLICY } from '../../../main/shared/security-headers'

let dir: string
let bridge: Bridge
let port: number

const INDEX_HTML =
  '<!doctype html><html><head><title>CTS</title></head><body><div id="app"></div>' +
  '<script type="module" crossorigin src="/assets/app.js"></script></body></html>'

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cts-bridge-'))
  const rendererDir = join(dir, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), INDEX_HTML)
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app")\n')
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer folder')
  bridge = await startBridge({ home: join(dir, 'home'), rendererDir, maxBodyBytes: 1024 })
  port = Number(new URL(bridge.origin).port)
})

afterAll(async () => {
  await bridge?.close()
  rmSync(dir, { recursive: true, force: true })
})

const auth = () => ({ authorization: `Bearer ${bridge.token}` })

function call(name: string, body: unknown, headers: Record<string, string> = auth()) {
  return fetch(`${bridge.origin}/api/call/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** node:http, because fetch does not let a test choose the Host header. */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('startBridge', () => {
  it('listens on 127.0.0.1 and prints a URL carrying a long random token', () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${port}/?token=${bridge.token}`)
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('refuses API calls and pages without the token (401)', async () => {
    const res = await call('projects/list', {}, {})
    expect(res.status).toBe(401)
    expect((await fetch(`${bridge.origin}/`)).status).toBe(401)
    expect((await call('projects/list', {}, { authorization: 'Bearer wrong' })).status).toBe(401)
  })

  it('refuses a foreign Origin and a Host that is not loopback:PORT (403)', async () => {
    const foreign = await call('projects/list', {}, { ...auth(), origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    const rebinding = await rawGet('/api/events', { host: `evil.example:${port}`, ...auth() })
    expect(rebinding.status).toBe(403)
    const otherPort = await rawGet('/', { host: `127.0.0.1:${port + 1}`, ...auth() })
    expect(otherPort.status).toBe(403)
    const own = await call('projects/list', {}, { ...auth(), origin: bridge.origin })
    expect(own.status).toBe(200)
  })

  it('answers a malformed payload with the same bad-input envelope as IPC', async () => {
    const res = await call('projects/create', { name: '', kind: 'binary' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } }
    expect(body.ok).toBe(false)
    expect(body.error.code).toBe('bad-input')
    expect(body.error.message).toMatch(/^Invalid arguments for projects\/create: name: /)
    const notJson = await call('projects/list', '{oops')
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toEqual({
      ok: false,
      error: { code: 'bad-input', message: 'The request body is not valid JSON.' },
    })
    const unknown = await call('nothing/here', {})
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'Unknown call "nothing/here".' },
    })
  })

  it('creates a project through HTTP and lists it back', async () => {
    const created = await call('projects/create', { name: '胸痛 chest pain', kind: 'binary' })
    expect(created.status).toBe(200)
    const { ok, value } = (await created.json()) as { ok: true; value: ProjectDto }
    expect(ok).toBe(true)
    expect(value.name).toBe('胸痛 chest pain')
    expect(value.labels.map((l) => l.name)).toEqual(['健康', '疾病'])
    const listed = (await (await call('projects/list', {})).json()) as { value: ProjectDto[] }
    expect(listed.value.map((p) => [p.id, p.name])).toEqual([[value.id, '胸痛 chest pain']])
    const duplicate = (await (
      await call('projects/create', { name: '胸痛 chest pain', kind: 'binary' })
    ).json()) as {
      error: { code: string }
    }
    expect(duplicate.error.code).toBe('conflict')
  })

  it('rejects a body over the limit with 413', async () => {
    const res = await call('projects/create', { name: 'x'.repeat(2000), kind: 'binary' })
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({
      ok: false,
      error: {
        code: 'bad-input',
        message: 'The request is larger than 1 KB. Import a smaller file.',
      },
    })
  })

  it('delivers a published event over server-sent events', async () => {
    const controller = new AbortController()
    const res = await fetch(`${bridge.origin}/api/events`, {
      headers: auth(),
      signal: controller.signal,
    })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = res.body!.getReader()
    const progress: JobProgressDto = {
      jobId: 'j1',
      kind: 'train',
      status: 'running',
      phase: 'training',
      step: 3,
      total: 10,
    }
    await reader.read() // the stream's opening "retry:" line: the client is registered now
    bridge.publish('jobs/progress', progress)
    let text = ''
    while (!text.includes('\n\n', text.indexOf('event:'))) {
      const { value } = await reader.read()
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    expect(text.slice(text.indexOf('event:'))).toBe(
      `event: jobs/progress\ndata: ${JSON.stringify(progress)}\n\n`,
    )
  })
})

describe('the served page', () => {
  it('turns the token link into an HttpOnly SameSite=Strict cookie and a redirect to /', async () => {
    const res = await fetch(bridge.url, { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/')
    expect(res.headers.get('set-cookie')).toBe(
      `cts_token_${port}=${bridge.token}; HttpOnly; SameSite=Strict; Path=/`,
    )
    expect((await fetch(`${bridge.origin}/?token=forged`, { redirect: 'manual' })).status).toBe(401)
  })

  it('serves index.html with the bridge script before the app and strict headers', async () => {
    const res = await fetch(`${bridge.origin}/`, {
      headers: { cookie: `cts_token_${port}=${bridge.token}` },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await res.text()
    expect(html).toContain(
      '<div id="app"></div><script src="/cts-bridge.js"></script><script type="module" crossorigin src="/assets/app.js">',
    )
    expect(html).not.toContain(bridge.token)
    const deepLink = await fetch(`${bridge.origin}/projects/3`, { headers: auth() })
    expect(await deepLink.text()).toBe(html)
    expect((await fetch(`${bridge.origin}/../secret.txt`, { headers: auth() })).status).toBe(404)
    expect((await rawGet('/%2e%2e/secret.txt', auth())).status).toBe(404)
  })

  it('serves a client script that defines window.cts over fetch, without the token in it', async () => {
    const script = await (await fetch(`${bridge.origin}/cts-bridge.js`, { headers: auth() })).text()
    expect(script).not.toContain(bridge.token)
    // Run the bundle as the page would, with fetch relative to the bridge and the cookie attached.
    const page: { cts?: CtsApi } = {}
    const pageFetch = (path: string, init: RequestInit) =>
      fetch(bridge.origin + path, {
        ...init,
        headers: { ...(init.headers as object), cookie: `cts_token_${port}=${bridge.token}` },
      })
    runInNewContext(script, Object.assign(page, { fetch: pageFetch, JSON, Object, Promise, Error }))
    const projects = await page.cts!.projects.list({})
    expect(projects.map((p) => p.name)).toEqual(['胸痛 chest pain'])
    const error = await page.cts!.projects.get({ projectId: 999 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'CtsError', code: 'not-found' })
  })
})
