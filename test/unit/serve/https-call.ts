// Test helper: one HTTPS request (node:https) that trusts only the given certificate.
import { request } from 'node:https'

export interface HttpsAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  json: unknown
}

export function httpsCall(
  url: string,
  ca: Buffer,
  o: { method?: string; token?: string; body?: unknown } = {},
): Promise<HttpsAnswer> {
  const body = o.body === undefined ? undefined : JSON.stringify(o.body)
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: o.method ?? (body ? 'POST' : 'GET'),
        ca,
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (text += c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: text ? JSON.parse(text) : undefined,
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
