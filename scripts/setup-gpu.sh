#!/usr/bin/env bash
# For developers: installs the NVIDIA GPU pack (onnxruntime-gpu's CUDA provider + NVIDIA's CUDA 13
# libraries, ~1.5 GB download, ~2.3 GB on disk) into the per-user pack folder, like the app's
# "Enable NVIDIA GPU" action. Every wheel is pinned in resources/gpu/gpu-pack.lock.json and checked
# by sha256 before anything is extracted; re-running it is a no-op once the pack is whole, and an
# interrupted download resumes. Linux x64 only (docs/GPU.md). Never run by CI or scripts/setup.sh.
#
# Usage: scripts/setup-gpu.sh                      download from files.pythonhosted.org (announced)
#        scripts/setup-gpu.sh --from-folder DIR    offline: the 8 wheels copied into DIR
#        scripts/setup-gpu.sh --index-url URL      a web folder serving the wheels by file name
#        scripts/setup-gpu.sh --remove             undo it (pack folder and downloads)
# Environment: CTS_GPU_PACK_DIR (where the pack goes; default the per-user data folder).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "setup-gpu: the NVIDIA GPU pack installs on Linux x86_64 only (docs/GPU.md)." >&2
  exit 1
fi
if [ ! -d node_modules/onnxruntime-node ]; then
  echo "setup-gpu: run scripts/setup.sh first (node_modules is missing)." >&2
  exit 1
fi

if [ "${1:-}" = "--remove" ]; then
  exec node bin/cts.mjs gpu remove
fi
# A cached copy of the real wheels (e.g. /work/cache/gpu-wheels) can be given as CTS_GPU_WHEELS.
if [ $# -eq 0 ] && [ -n "${CTS_GPU_WHEELS:-}" ]; then
  set -- --from-folder "$CTS_GPU_WHEELS"
fi
node bin/cts.mjs gpu install "$@"
node bin/cts.mjs gpu status
