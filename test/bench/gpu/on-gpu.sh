#!/usr/bin/env bash
# Issue #14 point 5: the ONE prepared script for a machine with an NVIDIA GPU. Installs what the
# machine lacks from the carry sets made by prepare-carry.sh (Node, the app bundle with
# onnxruntime-node, MiniLM, the CUDA provider), assembles the GPU pack from the provider and the
# NVIDIA libraries the machine's Python already has (or --libs: a folder holding them), then runs
# on-gpu-bench.ts: training samples/s cuda vs cpu (goal ≥ 10×), test macro-F1 of each (within 1
# point), prediction texts/s on cuda, and where each graph's nodes ran.
#
#   test/bench/gpu/on-gpu.sh [stage] [--libs DIR] [-- bench flags]
# "stage": only take the carried parts (call once per carry set, back to back); without it, the
# parts are taken and then, when all are there, the bench runs. Output is also written to
# $OUT/on-gpu.log when $OUT is set. STAGE (default /tmp/cts-gpu) keeps parts between calls.
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT="$PWD"
STAGE="${STAGE:-/tmp/cts-gpu}"
ONLY_STAGE=0
LIBS=
BENCH=()
while [ $# -gt 0 ]; do
  case "$1" in
    stage) ONLY_STAGE=1; shift ;;
    --libs) LIBS="$2"; shift 2 ;;
    --) shift; BENCH=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
LOG=/dev/null
if [ -n "${OUT:-}" ]; then LOG="$OUT/on-gpu.log"; fi
say() { echo "$*" | tee -a "$LOG"; }
mkdir -p "$STAGE/parts"

# 1. Parts: whatever this call carried, checked against the list of the whole.
for set in "$ROOT"/.gpu-carry/set-*; do
  [ -d "$set" ] || continue
  cp "$set/ALL.sha256" "$STAGE/ALL.sha256"
  for p in "$set"/*.part*; do
    [ -e "$p" ] && cp "$p" "$STAGE/parts/"
  done
done
[ -e "$STAGE/ALL.sha256" ] || { say "no carry set found in .gpu-carry/ (run prepare-carry.sh here first)"; exit 3; }
missing=$(cd "$STAGE/parts" && while read -r sum name; do
  if [ ! -e "$name" ] || [ "$(sha256sum "$name" | cut -d' ' -f1)" != "$sum" ]; then echo "$name"; fi
done <"$STAGE/ALL.sha256")
if [ -n "$missing" ]; then
  say "parts still missing: $(echo $missing | tr '\n' ' ')"
  exit 3
fi
say "all $(wc -l <"$STAGE/ALL.sha256") parts are here"
[ "$ONLY_STAGE" = 1 ] && exit 0

# 2. Unpack once.
unxz() { if command -v xz >/dev/null; then xz -dc; else python3 -c 'import lzma,sys,shutil; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer)'; fi; }
joined() { cat "$STAGE/parts/$1".part*; }
if [ ! -e "$STAGE/unpacked" ]; then
  mkdir -p "$STAGE/bin"
  joined app.tar.xz | unxz | tar -C "$STAGE" -xf - || exit 4
  joined node.xz | unxz >"$STAGE/bin/node" && chmod +x "$STAGE/bin/node" || exit 4
  joined model.safetensors.xz | unxz >"$STAGE/app/model/model.safetensors" || exit 4
  joined libonnxruntime_providers_cuda.so.xz | unxz >"$STAGE/libonnxruntime_providers_cuda.so" || exit 4
  joined shared.so >"$STAGE/libonnxruntime_providers_shared.so" || exit 4
  touch "$STAGE/unpacked"
fi
NODE="$STAGE/bin/node"
say "node $("$NODE" --version); $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"

# 3. The GPU pack, assembled as the installer lays it out: the carried provider (RUNPATH $ORIGIN),
#    onnxruntime-node's binding and library, and NVIDIA's libraries found on this machine (links).
export CTS_GPU_PACK_DIR="$STAGE/pack"
PACK="$CTS_GPU_PACK_DIR/cuda13-ort1.30.0"
if [ ! -e "$PACK/pack.json" ]; then
  mkdir -p "$PACK"
  cp "$STAGE/libonnxruntime_providers_cuda.so" "$STAGE/libonnxruntime_providers_shared.so" "$PACK/"
  cp "$STAGE/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/"* "$PACK/"
  SEARCH=("$(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null)" /usr/local/cuda/lib64 /usr/lib/x86_64-linux-gnu)
  [ -n "$LIBS" ] && SEARCH=("$LIBS" "${SEARCH[@]}")
  for lib in libcublas.so.13 libcublasLt.so.13 libcudart.so.13 libcurand.so.10 libcufft.so.12 libnvrtc.so.13 \
    'libnvrtc-builtins.so.13.*' libcudnn.so.9 'libcudnn_*.so.9'; do
    found=$(find ${SEARCH[*]} -name "$lib" 2>/dev/null | sort | head -20)
    if [ -z "$found" ]; then say "MISSING on this machine: $lib (the CUDA provider cannot start without it)"; continue; fi
    for f in $found; do ln -sf "$f" "$PACK/$(basename "$f")"; done
  done
  "$NODE" -e '
    const fs = require("fs"), path = require("path"), crypto = require("crypto")
    const dir = process.argv[1]
    const files = fs.readdirSync(dir).sort().map((name) => {
      const p = path.join(dir, name)
      return { name, size: fs.statSync(p).size, from: fs.lstatSync(p).isSymbolicLink() ? fs.realpathSync(p) : "carried",
               sha256: crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex") }
    })
    const ortVersion = require(process.argv[2] + "/package.json").version
    fs.writeFileSync(path.join(dir, "pack.json"), JSON.stringify({ version: "cuda13-ort1.30.0", platform: "linux-x64",
      onnxruntimeNode: ortVersion, lockSha256: "assembled-on-gpu", installedAt: new Date().toISOString(), source: "folder", files }, null, 1))
    console.log("pack: " + files.length + " files in " + dir)
  ' "$PACK" "$STAGE/app/node_modules/onnxruntime-node" | tee -a "$LOG"
fi

# 4. The bench (both devices, same seed, data and recipe).
export CTS_MEDICAL_ABSTRACTS="$STAGE/app/data/medical_tc_test.csv"
export CTS_MINILM_DIR="$STAGE/app/model"
cd "$STAGE/app"
# --import: the redirect must hook module loading before the bundle's (hoisted) onnxruntime import.
"$NODE" --import "file://$STAGE/app/redirect.mjs" bench.mjs "${BENCH[@]}" ${OUT:+--out "$OUT/on-gpu.json"} 2>&1 | tee -a "$LOG"
