# Reference for test/parity/agreement.test.ts: scikit-learn's cohen_kappa_score (every annotator
# pair, on the texts both labelled), statsmodels' fleiss_kappa (complete tables only) and the
# krippendorff package's nominal alpha on the fixtures named on the command line. Prints JSON.
# Usage: .venv/bin/python test/parity/python/agreement_ref.py FIXTURE.json...
import json
import sys
import warnings
from importlib.metadata import version
from itertools import combinations

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

warnings.filterwarnings("ignore")


def num(v):
    """JSON has no NaN: encode it as a string the test decodes."""
    v = float(v)
    return "nan" if v != v else v


def figures(ratings, num_categories):
    """ratings[text][annotator], None = not annotated."""
    n_ann = len(ratings[0])
    pairs = []
    for a, b in combinations(range(n_ann), 2):
        both = [(r[a], r[b]) for r in ratings if r[a] is not None and r[b] is not None]
        kappa = (
            num(cohen_kappa_score([x for x, _ in both], [y for _, y in both])) if both else None
        )
        pairs.append({"a": a, "b": b, "texts": len(both), "kappa": kappa})
    table = np.zeros((len(ratings), num_categories))
    for i, row in enumerate(ratings):
        for r in row:
            if r is not None:
                table[i, r] += 1
    sums = table.sum(axis=1)
    complete = bool((sums == sums[0]).all() and sums[0] >= 2)
    fleiss = num(fleiss_kappa(table, method="fleiss")) if complete else None
    # krippendorff wants annotators × texts with NaN for missing cells.
    data = np.array([[np.nan if r is None else r for r in row] for row in ratings], dtype=float).T
    alpha = num(
        krippendorff.alpha(
            reliability_data=data,
            value_domain=list(range(num_categories)),
            level_of_measurement="nominal",
        )
    )
    try:
        alpha_default = num(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError as e:
        alpha_default = {"error": str(e)}
    return {"cohen": pairs, "fleiss": fleiss, "alpha": alpha, "alphaDefaultDomain": alpha_default}


out = {
    "versions": {pkg: version(pkg) for pkg in ("scikit-learn", "statsmodels", "krippendorff")},
    "fixtures": {},
}
for path in sys.argv[1:]:
    with open(path, encoding="utf8") as f:
        fx = json.load(f)
    if "labelSets" in fx:
        per_label = []
        for label in range(fx["numLabels"]):
            presence = [
                [None if s is None else int(label in s) for s in row] for row in fx["labelSets"]
            ]
            per_label.append(figures(presence, 2))
        out["fixtures"][path] = {"perLabel": per_label}
    else:
        out["fixtures"][path] = figures(fx["ratings"], fx["numCategories"])
print(json.dumps(out))
