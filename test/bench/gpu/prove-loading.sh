#!/usr/bin/env bash
# By-hand proof of issue #14 point 4 on a machine WITHOUT an NVIDIA GPU: installs the real GPU pack
# from hash-checked wheels into a temp CTS_GPU_PACK_DIR (the app's installer; --by-hand: unzip +
# patchelf + pack.json), compiles a stub libcuda.so.1 (no device) with the system C compiler, then
# asks onnxruntime for a 'cuda' session: it must fail with CUDA's no-device error (the chain loads).
#
#   test/bench/gpu/prove-loading.sh [--wheels DIR] [--by-hand] [--keep]
# Needs ~2.5 GB free in $TMPDIR; takes about a minute. Never run in CI (1 GB of wheels).
set -euo pipefail
cd "$(dirname "$0")/../../.."
WHEELS=/work/cache/gpu-wheels
MODE=()
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wheels) WHEELS="$2"; shift 2 ;;
    --by-hand) MODE=(--by-hand); shift ;;
    --keep) KEEP=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cts-gpu-proof.XXXXXX")"
[ "$KEEP" = 1 ] || trap 'rm -rf "$WORK"' EXIT
export CTS_GPU_PACK_DIR="$WORK/pack"
echo "== 1. pack into $CTS_GPU_PACK_DIR from $WHEELS ${MODE[*]:-(installer)}"
npx tsx test/bench/gpu/install-pack.ts --wheels "$WHEELS" "${MODE[@]}"
echo "== 2. stub libcuda.so.1 ($(cc --version | head -1))"
mkdir -p "$WORK/stub"
cc -shared -fPIC -O2 -Wall -o "$WORK/stub/libcuda.so.1" test/bench/gpu/stub-libcuda.c -ldl
echo "stub exports: $(nm -D --defined-only "$WORK/stub/libcuda.so.1" | awk '$2=="T"{print $3}' | tr '\n' ' ')"
if [ -e /proc/driver/nvidia/version ] || ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1 '; then
  echo "note: this machine has an NVIDIA driver; the stub on LD_LIBRARY_PATH still comes first"
fi
echo "== 3. a 'cuda' session with the pack's binding and the stub driver"
LD_LIBRARY_PATH="$WORK/stub${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" npx tsx test/bench/gpu/prove-loading-probe.ts
