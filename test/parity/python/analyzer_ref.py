"""scikit-learn's TfidfVectorizer analyzers on given texts: the n-grams our TF-IDF baseline
(main/ml/models/baseline-analyzer.ts) must make. Usage: analyzer_ref.py INPUT_JSON -> JSON.

INPUT_JSON: {"texts": [...], "char": ["char_wb" | "char", ...]} (one char analyzer per text).
"""
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer


def main():
    data = json.load(open(sys.argv[1], encoding="utf-8"))
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2)).build_analyzer()
    chars = {
        name: TfidfVectorizer(analyzer=name, ngram_range=(1, 4)).build_analyzer()
        for name in ("char", "char_wb")
    }
    out = [
        {"word": word(text), "char": chars[char](text)}
        for text, char in zip(data["texts"], data["char"])
    ]
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
