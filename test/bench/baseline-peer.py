"""The scikit-learn peer of the baseline benchmark (test/bench/baseline-vs-sklearn.ts): TF-IDF word
1-2-grams + character 1-4-grams (char_wb for spaced text, plain characters for CJK text), both
sublinear tf and L2-normalised, then LogisticRegression with C from {0.1, 1, 10, 100} chosen on dev
macro-F1 (fitted on train only, as our baseline is). Reads a saved split, prints one JSON line.

Usage: baseline-peer.py SPLIT_JSON
"""
import json
import re
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline, make_union

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def is_cjk(texts):
    """A split is CJK when most of its letters are Han, kana or Hangul."""
    sample = "".join(texts[:2000])
    letters = sum(ch.isalpha() for ch in sample) or 1
    return len(CJK.findall(sample)) / letters > 0.5


def main():
    split = json.load(open(sys.argv[1], encoding="utf-8"))
    train, dev, test = split["train"], split["dev"], split["test"]
    char = "char" if is_cjk(train["texts"]) else "char_wb"
    started = time.perf_counter()
    best = None
    for c in (0.1, 1, 10, 100):
        model = make_pipeline(
            make_union(
                TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                TfidfVectorizer(analyzer=char, ngram_range=(1, 4), sublinear_tf=True),
            ),
            LogisticRegression(C=c, max_iter=1000),
        )
        model.fit(train["texts"], train["labels"])
        dev_f1 = f1_score(dev["labels"], model.predict(dev["texts"]), average="macro")
        if best is None or dev_f1 > best[1]:
            best = (c, dev_f1, model)
    c, dev_f1, model = best
    test_f1 = f1_score(test["labels"], model.predict(test["texts"]), average="macro")
    print(
        json.dumps(
            {
                "analyzer": char,
                "C": c,
                "devMacroF1": dev_f1,
                "testMacroF1": test_f1,
                "wallSeconds": time.perf_counter() - started,
            }
        )
    )


if __name__ == "__main__":
    main()
