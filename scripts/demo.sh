#!/usr/bin/env bash
# Quick start, command 1: set up (idempotent) and run the main job on the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
CTS_SKIP_PYTHON=1 bash scripts/setup.sh
export CTS_HOME="${CTS_HOME:-$PWD/.demo-workspace}"
node bin/cts.mjs demo "$@"
