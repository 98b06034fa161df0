#!/usr/bin/env bash
# Creates the Python venv used only by reference/parity tests (never by the app): CPU torch from the
# wheel on this machine's disk, then transformers & co. at pinned versions. Idempotent: skipped
# when the venv's marker holds the same requirements hash.
#
# Usage: scripts/setup-python.sh [VENV_DIR]   (default: $CTS_VENV or .venv in the repo root)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-${CTS_VENV:-$ROOT/.venv}}"
PYTHON="${PYTHON:-python3}"

# torch first and alone, pinned exactly: a bare `torch` or a range may pull a multi-GB CUDA build.
TORCH="torch==2.13.0"
# The versions the parity tests were written against (pip freeze of the team venv).
REQUIREMENTS=(
  "transformers==5.24.0"
  "numpy==2.4.6"
  "scikit-learn==1.9.1"
  "safetensors==0.8.0"
  "onnxruntime==1.32.0"
  "onnx==1.23.2"
  # The confident-learning oracle (test/parity/confident-learning.test.ts).
  "cleanlab==2.9.0"
  # The inter-annotator agreement oracles (test/parity/agreement.test.ts).
  "statsmodels==0.15.0"
  "krippendorff==0.9.0"
  # The de-identification peer (test/bench/deid-vs-presidio.ts): its pattern recognizers only.
  "presidio-analyzer==2.2.366"
  # Triton's ModelConfig protobuf (tritonclient/grpc/model_config_pb2.py) for the Triton export
  # test (test/unit/triton/). tritonclient needs protobuf < 7; onnx 1.23 needs ≥ 6.31.1.
  "tritonclient[grpc]==2.73.0"
  "grpcio==1.85.4"
  "protobuf==6.33.6"
)

HASH="$(printf '%s\n' "$TORCH" "${REQUIREMENTS[@]}" | sha256sum | cut -d' ' -f1)"
MARKER="$VENV/.cts-requirements.sha256"

if [ -x "$VENV/bin/python" ] && [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$HASH" ]; then
  echo "setup-python: $VENV is up to date (requirements $HASH)"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup-python: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
rm -f "$MARKER"
"${PIP[@]}" install "$TORCH"
"${PIP[@]}" install "${REQUIREMENTS[@]}"

# Refuse to mark the venv ready if a CUDA build slipped in (it would be huge and useless here).
"$VENV/bin/python" - <<'PY'
import sys, torch, transformers
if torch.version.cuda is not None:
    sys.exit(f"setup-python: torch {torch.__version__} is a CUDA build; expected the CPU wheel")
print(f"setup-python: torch {torch.__version__} (cpu), transformers {transformers.__version__}")
PY
echo "$HASH" > "$MARKER"
echo "setup-python: $VENV ready"
