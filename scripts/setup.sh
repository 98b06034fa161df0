#!/usr/bin/env bash
# Idempotent setup for a fresh checkout: system packages (when root), npm dependencies without
# downloads that this network refuses, the default model, and the Python reference venv.
set -euo pipefail
cd "$(dirname "$0")/.."

# Electron's binary and onnxruntime's CUDA libraries come from hosts a closed network refuses;
# the app's code is tested without them (see docs: architecture.md, environment.md).
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2) # scripts/test.sh: the loopback-only namespace
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
[ -d /usr/share/fonts/opentype/noto ] || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need_apt[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install: ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]})" >&2
  fi
fi

# npm: reinstall only when the lock file changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.cts-lock-hash ] || [ "$(cat node_modules/.cts-lock-hash)" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.cts-lock-hash
fi

bash scripts/setup-model.sh
if [ "${CTS_SKIP_PYTHON:-0}" != 1 ]; then
  bash scripts/setup-python.sh
fi
