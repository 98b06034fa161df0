#!/usr/bin/env bash
# Quick start, command 1: set up (idempotent), then run the main job on the bundled bilingual
# sample: a fresh demo workspace, import, the fast baseline and a fine-tune of the default model
# (all-MiniLM-L6-v2) with the reference recipe's defaults, a report and a prediction file.
set -euo pipefail
cd "$(dirname "$0")/.."
CTS_SKIP_PYTHON=1 bash scripts/setup.sh

home="${CTS_DEMO_HOME:-$PWD/.demo-workspace}"
rm -rf "$home"          # the demo's own folder only; your workspace (CTS_HOME) is never touched
mkdir -p "$home"
cts() { node bin/cts.mjs --home "$home" "$@"; }
project='Symptoms 症状 (sample)'

echo "== 1. Create a project (binary: 健康 healthy / 疾病 disease) in $home"
cts project create "$project" --kind binary
echo "== 2. Import the bundled sample (160 bilingual texts)"
cts import resources/samples/symptoms-zh-en.csv --project "$project" --group-col patient_id
cts project list
echo "== 3. Train the no-pretrained-model baseline (seconds)"
cts train --project "$project" --model baseline --json > "$home/run-baseline.json"
node -e 'const r=require(process.argv[1]);console.log(`run ${r.run_id} baseline: test accuracy ${r.test.accuracy.toFixed(3)}, macro-F1 ${r.test.macro_f1.toFixed(3)} (${r.timings.train_seconds.toFixed(1)} s)`)' "$home/run-baseline.json"
echo "== 4. Fine-tune the default model (all-MiniLM-L6-v2; lr 2e-5, batch 16, 5 epochs, max length 128)"
cts train --project "$project" --model default --json > "$home/run-bert.json"
node -e 'const r=require(process.argv[1]);console.log(`run ${r.run_id} ${r.model}: test accuracy ${r.test.accuracy.toFixed(3)}, macro-F1 ${r.test.macro_f1.toFixed(3)} (${r.timings.train_seconds.toFixed(1)} s on ${r.provider})`);for(const [l,m] of Object.entries(r.test.per_class))console.log(`  ${l}: precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)} f1 ${m.f1.toFixed(3)} support ${m.support}`)' "$home/run-bert.json"
echo "   (all-MiniLM-L6-v2 has an English-only vocabulary; half of this sample is Chinese, where the"
echo "    baseline does better. For Chinese texts import a Chinese BERT folder: cts model import DIR)"
bert_run=$(node -e 'console.log(require(process.argv[1]).run_id)' "$home/run-bert.json")
echo "== 5. Predict the sample file with the fine-tuned model, and write a report"
cts predict --run "$bert_run" --in resources/samples/symptoms-zh-en.csv --out "$home/predictions.csv"
cts report --run "$bert_run" --out "$home/report.html"
echo "Done. Workspace: $home  (predictions.csv, report.html; open the UI with: CTS_HOME=$home npm run web)"
