#!/usr/bin/env bash
# Prepares what test/bench/gpu/on-gpu.sh needs on a GPU machine that has no Node, no
# onnxruntime-node and no CUDA provider, as carry sets of at most ~56 MB each (the device tool
# carries 64 MiB per call, working tree included). Output: .gpu-carry/set-1 … set-N (git-ignored
# through .git/info/exclude), each with a MANIFEST of sha256 lines. See test/bench/gpu/README.md.
#
#   test/bench/gpu/prepare-carry.sh [--wheels /work/cache/gpu-wheels] [--model DIR] [--fp16]
# Takes ~10 minutes on 2 cores (xz). Re-running reuses finished pieces.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT="$PWD"
WHEELS=/work/cache/gpu-wheels
MODEL="$ROOT/resources/models/all-MiniLM-L6-v2"
DATA="$ROOT/../shared/datasets/medical-abstracts/medical_tc_test.csv"
FP16=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wheels) WHEELS="$2"; shift 2 ;;
    --model) MODEL="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --fp16) FP16=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
grep -qx '/.gpu-carry/' .git/info/exclude 2>/dev/null || echo '/.gpu-carry/' >>.git/info/exclude
OUT="$ROOT/.gpu-carry"
BUILD="$OUT/build"
mkdir -p "$BUILD"
PART=$((50 * 1024 * 1024))

echo "== app bundle (esbuild; onnxruntime-node stays external)"
# sharp (images, pulled in by @huggingface/transformers' tokenizers) stays out: a stub stands in.
npx esbuild test/bench/gpu/on-gpu-bench.ts --bundle --platform=node --format=esm --target=node20 \
  --external:onnxruntime-node --external:sharp --outfile="$BUILD/app/bench.mjs" --log-level=warning \
  "--banner:js=import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);"
# The redirect as its own module, loaded with `node --import` before the bench: in one ESM bundle
# the external onnxruntime-node import would be hoisted above it and load the wrong binding.
npx esbuild main/shared/ort-binding-redirect-install.ts --bundle --platform=node --format=esm \
  --target=node20 --outfile="$BUILD/app/redirect.mjs" --log-level=warning
ORT="$ROOT/node_modules/onnxruntime-node"
rm -rf "$BUILD/app/node_modules" && mkdir -p "$BUILD/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"
cp -r "$ORT/package.json" "$ORT/dist" "$BUILD/app/node_modules/onnxruntime-node/"
cp "$ORT/bin/napi-v6/linux/x64/"* "$BUILD/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/"
cp -r "$ROOT/node_modules/onnxruntime-common" "$BUILD/app/node_modules/"
mkdir -p "$BUILD/app/node_modules/sharp"
echo '{ "name": "sharp", "version": "0.0.0-stub", "main": "index.js" }' >"$BUILD/app/node_modules/sharp/package.json"
echo "module.exports = () => { throw new Error('sharp is not carried: this bench reads no images') }" \
  >"$BUILD/app/node_modules/sharp/index.js"
mkdir -p "$BUILD/app/data" "$BUILD/app/model"
cp "$DATA" "$BUILD/app/data/medical_tc_test.csv"
for f in config.json tokenizer.json tokenizer_config.json vocab.txt special_tokens_map.json; do
  [ -e "$MODEL/$f" ] && cp "$MODEL/$f" "$BUILD/app/model/"
done
if [ "$FP16" = 1 ]; then
  # Half the bytes; the loader widens F16 to float32 (both devices start from the same weights).
  "$ROOT/.venv/bin/python" - "$MODEL/model.safetensors" "$BUILD/model.safetensors" <<'PY'
import sys
from safetensors.numpy import load_file, save_file
t = load_file(sys.argv[1])
save_file({k: v.astype('float16') if v.dtype.name == 'float32' else v for k, v in t.items()}, sys.argv[2])
PY
else
  cp "$MODEL/model.safetensors" "$BUILD/model.safetensors"
fi
[ -e "$BUILD/node" ] || cp "$(command -v node)" "$BUILD/node"
if [ ! -e "$BUILD/libonnxruntime_providers_cuda.so" ]; then
  unzip -q -j -o "$WHEELS"/onnxruntime_gpu-1.30.0-*linux*.whl \
    onnxruntime/capi/libonnxruntime_providers_cuda.so onnxruntime/capi/libonnxruntime_providers_shared.so -d "$BUILD"
  # As the installer does (the GPU machine may have no patchelf): NVIDIA's libraries beside it.
  patchelf --set-rpath '$ORIGIN' "$BUILD/libonnxruntime_providers_cuda.so"
fi

echo "== compress (xz) and split into parts of 50 MiB"
tar -C "$BUILD" -cf - app | xz -T2 -6 >"$BUILD/app.tar.xz"
for f in node model.safetensors libonnxruntime_providers_cuda.so; do
  if [ ! -e "$BUILD/$f.xz" ]; then
    xz -T2 -6 -k -c "$BUILD/$f" >"$BUILD/$f.xz.tmp" && mv "$BUILD/$f.xz.tmp" "$BUILD/$f.xz"
  fi
done
cp "$BUILD/libonnxruntime_providers_shared.so" "$BUILD/shared.so"
rm -rf "$OUT"/set-* "$BUILD/parts" && mkdir -p "$BUILD/parts"
for f in app.tar.xz node.xz model.safetensors.xz libonnxruntime_providers_cuda.so.xz shared.so; do
  split -b "$PART" -d -a 2 "$BUILD/$f" "$BUILD/parts/$f.part"
done
# Pack parts into sets of at most 56 MB (first fit, biggest first).
set=0
declare -A used
for p in $(ls -S "$BUILD/parts"); do
  size=$(stat -c %s "$BUILD/parts/$p")
  placed=
  for ((s = 1; s <= set; s++)); do
    if [ $((used[$s] + size)) -le $((56 * 1000 * 1000)) ]; then placed=$s; break; fi
  done
  if [ -z "$placed" ]; then set=$((set + 1)); placed=$set; used[$placed]=0; mkdir -p "$OUT/set-$placed"; fi
  ln "$BUILD/parts/$p" "$OUT/set-$placed/$p"
  used[$placed]=$((used[$placed] + size))
done
# Every set also says what the whole needs, so on-gpu.sh can tell what is still missing.
(cd "$BUILD/parts" && sha256sum *) >"$BUILD/ALL.sha256"
for ((s = 1; s <= set; s++)); do cp "$BUILD/ALL.sha256" "$OUT/set-$s/ALL.sha256"; done
for ((s = 1; s <= set; s++)); do echo "set-$s: $(du -sm "$OUT/set-$s" | cut -f1) MB: $(ls "$OUT/set-$s" | grep -v ALL | tr '\n' ' ')"; done
echo "carry each set in its own call, back to back: carry=['.gpu-carry/set-K'] (README.md)"
