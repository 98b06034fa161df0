"""cleanlab 2.9.0's confident learning on given out-of-fold probabilities: the oracle our
main/ml/active/confident-learning.ts must agree with.

Usage: cleanlab_ref.py INPUT_JSON  (labels: [int], probs: [[float]]) -> JSON on stdout:
issues (ranked indices), thresholds, joint (calibrated confident joint), self_confidence.
An input {"cases": [{labels, probs}, ...]} gives {"cases": [that object per case]}.
"""
import json
import sys

import numpy as np
from cleanlab.count import compute_confident_joint, get_confident_thresholds
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_self_confidence_for_each_label


def reference(data):
    labels = np.array(data["labels"], dtype=np.int64)
    probs = np.array(data["probs"], dtype=np.float64)
    issues = find_label_issues(
        labels,
        probs,
        filter_by="confident_learning",
        return_indices_ranked_by="self_confidence",
    )
    return {
        "issues": [int(i) for i in issues],
        "thresholds": get_confident_thresholds(labels, probs).tolist(),
        "joint": compute_confident_joint(labels, probs).tolist(),
        "self_confidence": get_self_confidence_for_each_label(labels, probs).tolist(),
    }


def main():
    data = json.load(open(sys.argv[1], encoding="utf-8"))
    if "cases" in data:
        print(json.dumps({"cases": [reference(case) for case in data["cases"]]}))
    else:
        print(json.dumps(reference(data)))


if __name__ == "__main__":
    main()
