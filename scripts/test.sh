#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup, typecheck, lint, unit + parity tests, PostgreSQL
# tests, build, e2e.
# Ends with one line "N passed, N failed" counted from the test runners' own reports.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; exit 1; }

mkdir -p test-artifacts
status=0
step() { echo; echo "== $1"; shift; "$@" || { echo "FAILED: $*"; status=1; }; }

step typecheck npm run --silent typecheck
step lint npm run --silent lint
step electronegativity npx --no-install tsx scripts/electronegativity.ts
step unit-and-parity npx vitest run --reporter=default --reporter=json --outputFile=test-artifacts/unit.json
# The team workspace (issue 17): PostgreSQL-only tests and the shared service tests again on a
# real PostgreSQL 15 the run starts itself (as user postgres when root), loopback only.
step postgres npx vitest run --config test/pg/vitest.config.ts --reporter=default --reporter=json --outputFile=test-artifacts/pg.json
step postgres-open-workspace npx vitest run --config test/pg/repos/r3-services.vitest.config.ts --reporter=default --reporter=json --outputFile=test-artifacts/pg-open-workspace.json
step postgres-concurrency npx vitest run --config test/pg/concurrency.vitest.config.ts --reporter=default --reporter=json --outputFile=test-artifacts/pg-concurrency.json
# Issue #17 point 5: a server restarted mid-labelling and one stopped for a minute (each file its own server).
step postgres-faults npx vitest run --config test/pg/faults.vitest.config.ts --reporter=default --reporter=json --outputFile=test-artifacts/pg-faults.json
step build-renderer npm run --silent build:renderer

# Zero egress (issue 15): the demo's main job (its setup ran above, outside) and the e2e suite run
# in a network namespace whose only interface is loopback, when CI runs as root; else it says so.
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
  offline() { unshare -n bash -c 'ip link set lo up && exec "$@"' offline "$@"; }
  echo; echo "== zero egress: the demo's main job and e2e run in a network namespace with only: $(offline ip -brief link | awk '{print $1, $2}' | paste -sd ' ')"
else
  offline() { "$@"; }
  echo; echo "== zero egress: NOT isolated (needs root, unshare and ip; running as uid $(id -u)): the demo's main job and e2e run with the network"
fi
step demo-main-job offline env CTS_DEMO_SKIP_SETUP=1 CTS_DEMO_HOME="$PWD/test-artifacts/demo-workspace" bash scripts/demo.sh
step e2e offline npx vitest run --config test/e2e/vitest.config.ts --reporter=default --reporter=json --outputFile=test-artifacts/e2e.json

node -e '
const fs = require("fs"); let p = 0, f = 0
for (const file of ["test-artifacts/unit.json", "test-artifacts/pg.json", "test-artifacts/pg-open-workspace.json", "test-artifacts/pg-concurrency.json", "test-artifacts/pg-faults.json", "test-artifacts/e2e.json"]) {
  if (!fs.existsSync(file)) { f++; console.log("missing report: " + file); continue }
  const r = JSON.parse(fs.readFileSync(file, "utf8")); p += r.numPassedTests; f += r.numFailedTests
  if (r.numTotalTests === 0) { f++; console.log("no tests ran: " + file) }
}
console.log(`${p} passed, ${f} failed`)
process.exit(f > 0 ? 1 : 0)
' || status=1
exit $status
