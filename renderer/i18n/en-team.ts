// English strings of the team workspace (issue #17): "Connect to a team workspace" and the badge
// naming the server. zh-cn-team.ts is typed against this one.
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
    passwordHint: 'Kept in this computer’s keychain, never in the workspace folder.',
    emptyOnly:
      'Only an empty workspace can be connected: the projects of a local workspace would be hidden.',
    submit: 'Connect',
    connecting: 'Connecting…',
    needServer: 'Enter the server address.',
    needUser: 'Enter your user name.',
    badServer: 'Write the server as host:port/database (without a user name or password).',
    failed: 'The workspace could not be connected.',
  },
}

export type TeamMessages = typeof enTeam
