// The address the "Connect to a team workspace" form builds from its fields: the server
// (host[:port]/database, or a postgres:// address without a password) and the user name.

/** The i18n key of what is wrong with the fields, or the address to connect to. */
export type TeamUrlResult =
  { url: string } | { problem: 'team.needServer' | 'team.needUser' | 'team.badServer' }

/** postgres://user@host:port/database[?options]; the password travels apart, never in the URL. */
export function teamUrl(server: string, user: string): TeamUrlResult {
  const s = server.trim()
  const u = user.trim()
  if (!s) return { problem: 'team.needServer' }
  if (!u) return { problem: 'team.needUser' }
  const rest = s.replace(/^postgres(ql)?:\/\//i, '')
  // A user or password typed into the server field is not taken from there.
  if (rest.includes('@')) return { problem: 'team.badServer' }
  const m = /^(\[[0-9a-f:.]+\]|[^/:?#\s]+)(?::(\d{1,5}))?\/([^/?#\s]+)(\?[^#\s]*)?$/i.exec(rest)
  if (!m) return { problem: 'team.badServer' }
  const [, host, port, database, query] = m
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return { problem: 'team.badServer' }
  return {
    url: `postgres://${encodeURIComponent(u)}@${host}:${port ?? '5432'}/${database}${query ?? ''}`,
  }
}
