// Server-sent events for the bridge: every connected page gets every pushed event
// ('jobs/progress' …) as `event: <name>` + `data: <json>`.
import type { ServerResponse } from 'node:http'
import type { EventName, Events } from '../../preload/contract'

/** Keeps idle connections alive through proxies and lets a dead client be noticed. */
const HEARTBEAT_MS = 20_000

export class EventStream {
  private readonly clients = new Set<ServerResponse>()
  private readonly heartbeat: NodeJS.Timeout

  constructor() {
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  get size(): number {
    return this.clients.size
  }

  /** Takes over the response: headers are sent, and it stays open until the client leaves. */
  attach(res: ServerResponse, headers: Record<string, string>): void {
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    })
    res.write('retry: 2000\n\n')
    this.clients.add(res)
    res.on('close', () => this.clients.delete(res))
  }

  publish<E extends EventName>(event: E, payload: Events[E]): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`)
  }

  close(): void {
    clearInterval(this.heartbeat)
    for (const res of this.clients) res.end()
    this.clients.clear()
  }

  private write(chunk: string): void {
    for (const res of this.clients) res.write(chunk)
  }
}
