"""Reference token ids from Hugging Face's own (fast) tokenizer, for the tokenizer parity test.

Usage: tokenize_ref.py MODEL_DIR CORPUS_JSONL MAX_LEN [MAX_LEN ...] [--vocab-only]
Prints one JSON object: {"tokenizer": class name, "ids": {text_id: {max_len: [ids...]}}}.
--vocab-only loads from a copy of the folder without tokenizer.json, so transformers builds the
tokenizer from vocab.txt itself (the path our vocab.txt synthesis must match). Never downloads.
"""
import json
import os
import shutil
import sys
import tempfile

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from transformers import AutoTokenizer  # noqa: E402

VOCAB_ONLY_FILES = ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "config.json"]


def load(model_dir: str, vocab_only: bool):
    if not vocab_only:
        return AutoTokenizer.from_pretrained(model_dir, use_fast=True, local_files_only=True)
    tmp = tempfile.mkdtemp(prefix="cts-vocab-only-")
    for name in VOCAB_ONLY_FILES:
        src = os.path.join(model_dir, name)
        if os.path.exists(src):
            shutil.copy(src, tmp)
    try:
        return AutoTokenizer.from_pretrained(tmp, use_fast=True, local_files_only=True)
    finally:
        shutil.rmtree(tmp)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    vocab_only = "--vocab-only" in sys.argv
    model_dir, corpus, max_lens = args[0], args[1], [int(x) for x in args[2:]]
    tok = load(model_dir, vocab_only)
    with open(corpus, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    ids = {}
    for row in rows:
        ids[row["id"]] = {
            str(n): tok(row["text"], truncation=True, max_length=n)["input_ids"] for n in max_lens
        }
    json.dump({"tokenizer": type(tok).__name__, "ids": ids}, sys.stdout)


if __name__ == "__main__":
    main()
