"""Reference for model exports: loads an exported folder with plain Python onnxruntime and either
the Hugging Face tokenizer (BERT) or a re-implementation of featurizer.json (baseline), and prints
the probabilities of the given texts as JSON: {"labels": [...], "probs": [[...], ...]}.

Usage: export_ref.py EXPORT_DIR TEXTS_JSON
"""
import json
import sys

import numpy as np
import onnxruntime as ort
import regex
import unicodedata


def fnv1a32(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def featurize(spec, text):
    """Hashed n-gram ids exactly as featurizer.json describes them."""
    is_cjk = regex.compile(r"^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]")
    grams, prev = [], None
    norm = unicodedata.normalize("NFKC", text).lower()
    for tok in regex.findall(spec["tokenPattern"], norm):
        cjk = bool(is_cjk.match(tok))
        if cjk:
            prev = None
        else:
            grams.append("w:" + tok)
            if prev is not None:
                grams.append(f"b:{prev} {tok}")
            prev = tok
        if spec["charNgrams"] == "all" or (spec["charNgrams"] == "cjk" and cjk):
            chars = list(tok if cjk else f"<{tok}>")
            for n in (1, 2, 3):
                for i in range(len(chars) - n + 1):
                    grams.append(f"c{n}:" + "".join(chars[i : i + n]))
    return [fnv1a32(g) % spec["buckets"] for g in grams[: spec["maxFeatures"]]]


def main():
    export_dir, texts_path = sys.argv[1], sys.argv[2]
    texts = json.load(open(texts_path, encoding="utf-8"))
    info = json.load(open(f"{export_dir}/inference.json", encoding="utf-8"))
    labels = json.load(open(f"{export_dir}/labels.json", encoding="utf-8"))
    sess = ort.InferenceSession(f"{export_dir}/model.onnx", providers=["CPUExecutionProvider"])
    if info["kind"] == "bert":
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(export_dir)
        enc = tok(texts, padding=True, truncation=True, max_length=info["maxLength"], return_tensors="np")
        feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
    else:
        spec = json.load(open(f"{export_dir}/featurizer.json", encoding="utf-8"))
        rows = [featurize(spec, t) for t in texts]
        n = max([1] + [len(r) for r in rows])
        ids = np.zeros((len(rows), n), np.int64)
        mask = np.zeros((len(rows), n), np.float32)
        for b, r in enumerate(rows):
            ids[b, : len(r)] = r
            mask[b, : len(r)] = 1.0
        feeds = {"ids": ids, "mask": mask}
    (probs,) = sess.run(["probs"], feeds)
    print(json.dumps({"labels": labels, "probs": probs.astype(float).tolist()}))


if __name__ == "__main__":
    main()
