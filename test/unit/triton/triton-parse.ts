// Test helper: a config.pbtxt parsed by Triton's own ModelConfig protobuf (tritonclient's
// model_config_pb2, in the project venv) and returned as JSON; parse errors fail the test.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../cli/cts-process'

const PYTHON = join(REPO_ROOT, '.venv/bin/python')
const SCRIPT = join(REPO_ROOT, 'test/parity/python/triton_parse_config.py')

export function parseTritonConfig(path: string): Record<string, unknown> {
  // The venv is part of the test setup: without it this fails, it never skips.
  if (!existsSync(PYTHON))
    throw new Error(`Python venv missing (${PYTHON}): run scripts/setup-python.sh first`)
  return JSON.parse(
    execFileSync(PYTHON, [SCRIPT, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  ) as Record<string, unknown>
}
