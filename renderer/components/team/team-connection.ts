// How the window shows a team workspace's connection (issue #17 point 5): the badge's state and
// tooltip, and what the labelling view says when a call failed because the server was away.
import type { TeamConnectionDto } from '../../../preload/contract'

/** The error code main gives every call that needed the server while it could not be reached. */
export const TEAM_UNREACHABLE = 'team-unreachable'

/**
 * What failed while the server was away: 'write' — a label, undo, redo or skip, so nothing was
 * saved; 'read' — opening a text or the counts, after whatever was saved before it.
 */
export type UnreachableFailure = 'write' | 'read'

export function isTeamUnreachable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === TEAM_UNREACHABLE
  )
}

/**
 * The i18n key of the labelling view's message after `failure`, given the connection now: "back"
 * only once main said 'connected' again; no state yet reads as still reconnecting.
 */
export function unreachableMessageKey(
  failure: UnreachableFailure,
  connection: TeamConnectionDto | undefined,
): string {
  const back = connection?.state === 'connected'
  if (failure === 'write') return back ? 'team.notSavedBack' : 'team.notSavedReconnecting'
  return back ? 'team.unreachableBack' : 'team.unreachableReconnecting'
}

/** The clock time of an ISO instant in the viewer's time zone ("14:05:09"), or '' if unreadable. */
export function clockTime(iso: string, locale: string): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return ''
  return at.toLocaleTimeString(locale, { hour12: false })
}
