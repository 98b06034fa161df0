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
command -v patchelf >/dev/null 2>&1 || need_apt+=(patchelf) # test/unit/gpu-pack: synthetic wheels' tool
command -v cc >/dev/null 2>&1 || need_apt+=(gcc) # test/unit/gpu-pack: tiny real ELF libraries
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql) # test/pg: a real server per run (issue 17)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need_apt[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install: ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]})" >&2
  fi
fi

# WebGPU on a software adapter (test/parity/webgpu-lavapipe.test.ts, docs/WEBGPU.md): Dawn refuses
# bookworm's Mesa 22.3 lavapipe ("Vulkan shaderUniform*ArrayDynamicIndexing required");
# bookworm-backports' Mesa 25 lavapipe works. Other Debian/Ubuntu releases: their own Mesa if >= 25.
mesa_vk=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)
if ! dpkg --compare-versions "$mesa_vk" ge 25 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && grep -q 'VERSION_CODENAME=bookworm' /etc/os-release; then
    echo "setup: installing mesa-vulkan-drivers from bookworm-backports (apt; lavapipe for WebGPU)"
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      echo 'deb http://deb.debian.org/debian bookworm-backports main' >/etc/apt/sources.list.d/bookworm-backports.list
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
  else
    echo "setup: please install mesa-vulkan-drivers >= 25 and libvulkan1 (WebGPU tests on lavapipe)" >&2
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
