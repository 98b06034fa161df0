// Opens a team workspace: a folder bound to a PostgreSQL server (team.json). The repositories are
// the PostgreSQL ones; run artifacts stay under the folder. openAnyWorkspace picks team or local.
import { resolve } from 'node:path'
import { CtsError } from '../../shared'
import type { SecretStore } from '../../shared/secret-store'
import type { Repositories } from '../repositories'
import {
  describeTarget,
  parseTeamUrl,
  readTeamBinding,
  type TeamBinding,
  type TeamTarget,
} from '../team-binding'
import { teamRunsDirOf } from '../run-artifacts'
import { openWorkspace, type OpenWorkspaceOptions, type Workspace } from '../workspace'
import { FileSecretStore, findTeamPassword, redact, type PasswordSource } from './credentials'
import type { Migration, MigrationOutcome } from '../migrate'
import { migrations as knownMigrations } from '../migrations/index'
import { migratePg } from './migrate-pg'
import { openPgDatabase, type PgDatabase } from './pg-database'
import { allowTeamServer } from './team-egress'
import { pgRepositories } from './repositories'

/** A workspace folder bound to a PostgreSQL server. */
export interface TeamWorkspace {
  kind: 'team'
  home: string
  /** <home>/team-runs-<server key>: this computer's copy of run files (the database keeps finished runs', #17). */
  runsDir: string
  /** Encryption is the SQLite file's; a team server protects its data itself (TLS, roles). */
  encrypted: false
  artifactKey?: undefined
  repos: Repositories
  /** The server, database and user (no password). */
  team: TeamTarget & { url: string }
  /** Where the password came from (never the password). */
  passwordFrom?: PasswordSource
  migration: MigrationOutcome
  /** The connection pool (stores only: services use `repos`). */
  pg: PgDatabase
  /** Ends the pool. */
  close(): Promise<void>
}

/** A workspace of either kind, as the composition root opens it. */
export type AnyWorkspace = Workspace | TeamWorkspace

export interface OpenTeamOptions {
  /** Tests inject their own list; the app uses the registered migrations. */
  migrations?: readonly Migration[]
  /** Where the password is kept: the CLI's 0600 file unless given (the app: the keychain). */
  secrets?: SecretStore
  /** Where the one egress announcement goes (stderr unless given). */
  announce?: (line: string) => void
}

/** The database's query methods, bound, so a wrapper can replace close() alone. */
function bindQueries(db: PgDatabase): Omit<PgDatabase, 'close'> {
  return {
    rows: db.rows.bind(db),
    row: db.row.bind(db),
    run: db.run.bind(db),
    tx: db.tx.bind(db),
    // The connection state travels with it (#17 point 5: the root publishes its changes).
    ...(db.connection ? { connection: db.connection } : {}),
  }
}

/** Connects to the server of `binding` (the password from `secrets` or the pgpass file). */
export async function connectTeamDatabase(
  binding: Pick<TeamBinding, 'url'>,
  options: OpenTeamOptions & { password?: string } = {},
): Promise<{ db: PgDatabase; target: TeamTarget; passwordFrom?: PasswordSource }> {
  const { target, url } = parseTeamUrl(binding.url)
  const found =
    options.password !== undefined
      ? undefined
      : await findTeamPassword(target, options.secrets ?? new FileSecretStore())
  const password = options.password ?? found?.password
  const release = allowTeamServer(target, options.announce)
  try {
    // openPgDatabase puts the password into the driver's URL (node-postgres lets the URL win).
    const opened = await openPgDatabase(url, password === undefined ? {} : { password })
    const db: PgDatabase = {
      ...bindQueries(opened),
      close: async () => {
        try {
          await opened.close()
        } finally {
          release()
        }
      },
    }
    return { db, target, ...(found ? { passwordFrom: found.from } : {}) }
  } catch (err) {
    release()
    // The driver's messages never carry the password; this keeps it that way whatever it says.
    const error = err instanceof Error ? err : new Error(String(err))
    const message = redact(error.message, password)
    const hint =
      password === undefined && error instanceof CtsError && error.code === 'team-auth'
        ? ' No password is stored for it: run `cts workspace connect` again with the password, or add it to ~/.pgpass (PGPASSFILE).'
        : ''
    throw new CtsError(
      error instanceof CtsError ? error.code : 'team-unreachable',
      message + hint,
      error instanceof CtsError ? error.details : { host: target.host, port: target.port },
    )
  }
}

/** What identifies the server's workspace: the cluster's system identifier and the database. */
export async function serverFingerprint(db: PgDatabase): Promise<string | undefined> {
  try {
    const row = await db.row<{ id: string }>(
      "SELECT system_identifier::text || '/' || current_database() AS id FROM pg_control_system()",
    )
    return row?.id
  } catch {
    // pg_control_system() may be reserved to superusers: then no fingerprint is kept.
    return undefined
  }
}

/**
 * Checks the database is empty or a team workspace already (cts_schema_version), then brings its
 * schema up to date. A database that holds other tables is refused: it is someone else's.
 */
export async function prepareTeamSchema(
  db: PgDatabase,
  target: TeamTarget,
  migrations: readonly Migration[] = knownMigrations,
): Promise<MigrationOutcome> {
  const row = await db.row<{ tables: number; ours: number }>(
    `SELECT COUNT(*)::int AS tables,
            COUNT(*) FILTER (WHERE table_name = 'cts_schema_version')::int AS ours
       FROM information_schema.tables
      WHERE table_schema = current_schema()`,
  )
  if (row && row.tables > 0 && row.ours === 0)
    throw new CtsError(
      'conflict',
      `The database ${describeTarget(target)} already holds ${row.tables} other table(s): it is not a Clinical Text Studio team workspace. Ask the server's administrator for an empty database.`,
    )
  return migratePg(db, migrations)
}

/** Opens the team workspace `home` is bound to. */
export async function openTeamWorkspace(
  home: string,
  binding: TeamBinding,
  options: OpenTeamOptions = {},
): Promise<TeamWorkspace> {
  const dir = resolve(home)
  const { db, target, passwordFrom } = await connectTeamDatabase(binding, options)
  try {
    if (binding.serverFingerprint) {
      const now = await serverFingerprint(db)
      if (now !== undefined && now !== binding.serverFingerprint)
        throw new CtsError(
          'conflict',
          `The server at ${describeTarget(target)} is not the one this folder was bound to (its identity changed). If the team workspace moved, run \`cts workspace disconnect\` and connect again.`,
        )
    }
    const migration = await prepareTeamSchema(db, target, options.migrations)
    return {
      migration,
      kind: 'team',
      home: dir,
      // Keyed by the server: never the local workspace's runs/, nor another server's run ids.
      runsDir: teamRunsDirOf(dir, binding),
      encrypted: false,
      repos: pgRepositories(db, dir),
      team: { ...target, url: parseTeamUrl(binding.url).url },
      ...(passwordFrom ? { passwordFrom } : {}),
      pg: db,
      close: () => db.close(),
    }
  } catch (err) {
    await db.close().catch(() => undefined)
    throw err
  }
}

/**
 * The workspace in `home`: the team workspace when the folder is bound to a server (team.json),
 * else the local SQLite one (created when there is none).
 */
export async function openAnyWorkspace(
  home: string,
  options: OpenWorkspaceOptions & OpenTeamOptions = {},
): Promise<AnyWorkspace> {
  const binding = readTeamBinding(resolve(home))
  if (binding) return openTeamWorkspace(home, binding, options)
  return openWorkspace(home, options)
}
