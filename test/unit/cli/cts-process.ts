// Runs the real `cts` binary (node bin/cts.mjs) on one workspace, for the CLI tests: the same
// process, arguments and environment as a clinician's shell, with CTS_HOME set to the test's home.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const exec = promisify(execFile)

/** The repository root: bin/cts.mjs runs from here, and fixture paths are taken from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Runs `cts <args>` with CTS_HOME=home (and `env` added); rejects (with code and stderr) on a
 * non-zero exit.
 */
export function runCts(
  home: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  return exec('node', [join(REPO_ROOT, 'bin/cts.mjs'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CTS_HOME: home, ...env },
  })
}

/** Exit code and stderr of a `cts` run expected to fail; throws when it succeeds. */
export async function failingCts(
  home: string,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  try {
    await runCts(home, args)
  } catch (e) {
    const err = e as { code: number; stderr: string }
    return { code: err.code, stderr: err.stderr }
  }
  throw new Error(`cts ${args.join(' ')} succeeded`)
}

/**
 * `cts model install m3e-small --accept-license research-only --from-index` with `python` standing
 * in for python3 and PIP_INDEX_URL=indexUrl. Resolves to the run's error (code, stdout, stderr)
 * when it fails, to its output when it does not.
 */
export function installFromIndex(
  home: string,
  python: string,
  indexUrl: string,
): Promise<{ code?: number; stdout: string; stderr: string }> {
  const args = 'model install m3e-small --accept-license research-only --from-index'.split(' ')
  return runCts(home, args, { PYTHON: python, PIP_INDEX_URL: indexUrl }).catch(
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
}
