// The one hole in the egress guard a team workspace needs: exactly its bound server (host and
// port), which the user chose by connecting; announced once per process.
import { allowAnnouncedEgress } from '../../shared/egress-guard'
import type { TeamTarget } from '../team-binding'

const ALLOWED = Symbol.for('clinical-text-studio.team-egress')

/** The bound servers this process may reach now, with how many open connections hold each. */
function allowedServers(): Map<string, { holders: number; release: () => void }> {
  const g = globalThis as Record<symbol, Map<string, { holders: number; release: () => void }>>
  return (g[ALLOWED] ??= new Map())
}

const ANNOUNCED = Symbol.for('clinical-text-studio.team-egress-announced')

/** The bound servers this process has announced (once each). */
function announcedServers(): Set<string> {
  const g = globalThis as Record<symbol, Set<string>>
  return (g[ANNOUNCED] ??= new Set())
}

/**
 * Lets this process reach exactly the bound server (host and port): the user chose it by
 * connecting. Announced when first allowed; the returned function gives the hold back, and the
 * server is refused again once no open team database holds it (a failed connect holds nothing).
 */
export function allowTeamServer(target: TeamTarget, announce?: (line: string) => void): () => void {
  const key = `${target.host}:${target.port}`
  const servers = allowedServers()
  let held = servers.get(key)
  if (!held) {
    const where = target.host.includes(':') ? `[${target.host}]:${target.port}` : key
    // Said once per process: reopening the same server after a close is not news.
    const first = !announcedServers().has(key)
    announcedServers().add(key)
    const release = allowAnnouncedEgress(
      target.host,
      `This workspace is a team workspace on ${where}; Clinical Text Studio connects only to it.`,
      first ? announce : () => {},
      target.port,
    )
    held = { holders: 0, release }
    servers.set(key, held)
  }
  held.holders++
  let given = false
  return () => {
    if (given) return
    given = true
    if (--held.holders > 0) return
    servers.delete(key)
    held.release()
  }
}
