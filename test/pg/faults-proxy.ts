// A TCP relay between a client and the test server for the fault tests (issue #17 point 5): its
// connections can be made to die on their next bytes (poison) or to go silent without closing
// (blackHole: a cut network, a half-open socket that TCP would take ~15 min to give up on).
import { createServer, connect, type Server, type Socket } from 'node:net'

export interface FaultProxy {
  port: number
  /** Connections accepted so far. */
  opened(): number
  /** Per connection, in the order they were opened: the client's bytes swallowed by blackHole. */
  dropped(): number[]
  /** Open connections die on their next bytes (the client's write is answered by a reset). */
  poison(): void
  /** From now on nothing is relayed, on open or new connections; no socket is closed. */
  blackHole(): void
  close(): Promise<void>
}

export async function startProxy(target: number): Promise<FaultProxy> {
  const live = new Map<Socket, { up: Socket; poisoned: boolean }>()
  let opened = 0
  const swallowed: number[] = []
  let silent = false
  const proxy: Server = createServer((down) => {
    const index = opened
    opened += 1
    swallowed.push(0)
    const up = connect(target, '127.0.0.1')
    const entry = { up, poisoned: false }
    live.set(down, entry)
    down.on('data', (d) => {
      if (silent) {
        swallowed[index] += d.length
        return
      }
      // A socket the server side lost silently: the client's next write is answered by a reset.
      if (entry.poisoned) {
        down.resetAndDestroy()
        up.destroy()
      } else up.write(d)
    })
    up.on('data', (d) => {
      if (!silent) down.write(d)
    })
    const end = () => {
      live.delete(down)
      down.destroy()
      up.destroy()
    }
    for (const s of [down, up]) {
      s.on('error', end)
      s.on('close', end)
    }
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const address = proxy.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    opened: () => opened,
    dropped: () => [...swallowed],
    poison: () => {
      for (const entry of live.values()) entry.poisoned = true
    },
    blackHole: () => {
      silent = true
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [down, { up }] of live) {
          down.destroy()
          up.destroy()
        }
        proxy.close(() => resolve())
      }),
  }
}
