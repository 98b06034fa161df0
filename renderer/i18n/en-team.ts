// English strings of the team workspace (issue #17): "Connect to a team workspace", the badge
// naming the server, and "reconnecting" / "not saved" while the server cannot be reached.
// zh-cn-team.ts is typed against this one.
export const enTeam = {
  team: {
    button: 'Team workspace…',
    buttonTitle: 'Connect this workspace to a team workspace on a PostgreSQL server',
    badge: 'Team: {where}',
    badgeTitle:
      'This is a team workspace on {where} as {user}; the app connects only to that server.',
    title: 'Connect to a team workspace',
    body: 'Several clinicians label one corpus on a PostgreSQL server your hospital runs. Ask its administrator for the server address, your user name and your password.',
    server: 'Server',
    serverHint: 'host:port/database, e.g. db.hospital.example:5432/labels',
    user: 'User name',
    password: 'Password',
    passwordHint: "Kept in this computer's keychain, never in the workspace folder.",
    emptyOnly:
      'Only an empty workspace can be connected: the projects of a local workspace would be hidden.',
    submit: 'Connect',
    connecting: 'Connecting…',
    needServer: 'Enter the server address.',
    needUser: 'Enter your user name.',
    badServer: 'Write the server as host:port/database (without a user name or password).',
    failed: 'The workspace could not be connected.',
    // Issue #17 point 5: the server cannot be reached; nothing is queued, labels are refused.
    reconnecting: 'Reconnecting to the team workspace…',
    reconnectingTitle:
      'The team workspace server {where} has not answered since {since} ({reason}). Labels are not saved until it answers again; the app keeps trying.',
    reconnectingTitleNoReason:
      'The team workspace server {where} has not answered since {since}. Labels are not saved until it answers again; the app keeps trying.',
    notSaved: 'Not saved',
    notSavedReconnecting: 'Not saved: the team workspace server cannot be reached. Reconnecting…',
    notSavedBack:
      'Not saved: the team workspace server could not be reached. The connection is back: press the key again to save.',
    unreachableReconnecting: 'The team workspace server cannot be reached. Reconnecting…',
    unreachableBack: 'The connection to the team workspace server is back: try again.',
  },
}

export type TeamMessages = typeof enTeam
