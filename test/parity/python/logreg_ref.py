"""scikit-learn's LogisticRegression (lbfgs, L2, unpenalised intercept) on a given sparse matrix:
the reference our baseline fit (main/ml/models/baseline-fit.ts) must reach.

Usage: logreg_ref.py INPUT_JSON  (rows: [{ids, values}], labels, features, C) -> JSON on stdout
"""
import json
import sys

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression


def main():
    data = json.load(open(sys.argv[1], encoding="utf-8"))
    indptr, indices, values = [0], [], []
    for row in data["rows"]:
        indices.extend(row["ids"])
        values.extend(row["values"])
        indptr.append(len(indices))
    x = csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices), np.array(indptr)),
        shape=(len(data["rows"]), data["features"]),
    )
    y = np.array(data["labels"])
    model = LogisticRegression(C=data["C"], tol=1e-12, max_iter=100000).fit(x, y)
    proba = model.predict_proba(x)
    # scikit-learn's objective divided by C·n: the mean loss plus ||W||² / (2·C·n).
    n = len(y)
    nll = -np.log(proba[np.arange(n), y]).mean()
    objective = nll + (model.coef_**2).sum() / (2 * data["C"] * n)
    print(json.dumps({"proba": proba.tolist(), "objective": objective}))


if __name__ == "__main__":
    main()
