# Reference for test/parity/eval.test.ts: scikit-learn's curves, areas, classification report and
# threshold counts (plus a numpy ECE) on the cases given as JSON on stdin. Prints JSON on stdout.
# Usage: .venv/bin/python test/parity/python/eval_ref.py < cases.json
import json
import sys
import warnings

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    classification_report,
    confusion_matrix_at_thresholds,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

warnings.filterwarnings("ignore")


def floats(a):
    """JSON has no Infinity/NaN: encode them as strings the test decodes."""
    out = []
    for v in np.asarray(a, dtype=float).tolist():
        out.append("inf" if v == float("inf") else "nan" if v != v else v)
    return out


def class_curves(is_pos, score):
    fpr, tpr, thr = roc_curve(is_pos, score)
    p, r, pthr = precision_recall_curve(is_pos, score)
    both = 0 < is_pos.sum() < len(is_pos)
    return {
        "roc": {"fpr": floats(fpr), "tpr": floats(tpr), "thresholds": floats(thr)},
        "rocAuc": float(roc_auc_score(is_pos, score)) if both else None,
        "pr": {"precision": floats(p), "recall": floats(r), "thresholds": floats(pthr)},
        "averagePrecision": float(average_precision_score(is_pos, score)) if is_pos.sum() > 0 else None,
    }


def ece(y, probs, n_bins=10):
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    # (lower, upper] bins: np.digitize with right=True on the inner edges.
    edges = np.arange(1, n_bins) / n_bins
    b = np.digitize(conf, edges, right=True)
    total = 0.0
    counts = []
    for k in range(n_bins):
        m = b == k
        counts.append(int(m.sum()))
        if m.any():
            total += m.mean() * abs((pred[m] == y[m]).mean() - conf[m].mean())
    return {"ece": total, "counts": counts}


def run(case):
    y = np.asarray(case["yTrue"], dtype=int)
    probs = np.asarray(case["probs"], dtype=float)
    k = probs.shape[1]
    pred = probs.argmax(axis=1)
    out = {
        "name": case["name"],
        "perClass": [class_curves((y == c).astype(int), probs[:, c]) for c in range(k)],
        "report": classification_report(
            y, pred, labels=list(range(k)), output_dict=True, zero_division=0
        ),
        "calibration": ece(y, probs),
    }
    present = len(np.unique(y)) == k
    if k == 2:
        out["binaryAuc"] = float(roc_auc_score(y, probs[:, 1]))
        out["binaryAp"] = float(average_precision_score(y, probs[:, 1]))
        tns, fps, fns, tps, thr = confusion_matrix_at_thresholds(y, probs[:, 1])
        out["counts"] = {
            "tn": floats(tns), "fp": floats(fps), "fn": floats(fns), "tp": floats(tps),
            "thresholds": floats(thr),
        }
    elif present:
        out["macroRocAuc"] = float(
            roc_auc_score(y, probs, multi_class="ovr", average="macro", labels=list(range(k)))
        )
        out["macroAp"] = float(average_precision_score(y, probs, average="macro"))
    return out


def main():
    cases = json.load(sys.stdin)
    json.dump([run(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
