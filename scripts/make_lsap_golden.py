#!/usr/bin/env python3
"""Golden fixture: scipy.optimize.linear_sum_assignment (tie resolution).

Makes:   fixtures/golden/lsap.json
From:    scipy.optimize.linear_sum_assignment (installed scipy; version in "source").
         ASOT's metrics.py (pred_to_gt_match) calls it with maximize=True on an
         integer overlap matrix, where ties are common, so a Swift port must
         return the SAME assignment as scipy, not just an optimal one.

Regenerate (from the repo root):
    python3 scripts/make_lsap_golden.py --out fixtures/golden/lsap.json

Format: {"source": str, "cases": [{"matrix": [[...]] (r x c, row-major),
         "maximize": bool, "rows": [...], "cols": [...]}]}
rows/cols are exactly the two arrays scipy returns (rows sorted ascending,
length min(r, c)).

Cases (np.random.seed(0), generated in this order):
  * for every r, c in 1..7: 5 matrices with integer entries drawn from 0..3
    (stored as floats, they are integer-valued), maximize=True  -> 245 cases
  * for every r, c in {1, 3, 4, 7}: an all-zero and an all-equal (value 2) matrix,
    maximize=True -> 32 cases
  * 30 matrices with uniform random float entries in [0, 1), random shape, maximize=True
  * 20 matrices, random shape, maximize=False: 10 integer 0..3, 10 random float
"""
import argparse
import json
import os

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment


def case(m, maximize):
    r, c = linear_sum_assignment(m, maximize=maximize)
    return {"matrix": [[float(x) for x in row] for row in m], "maximize": bool(maximize),
            "rows": [int(x) for x in r], "cols": [int(x) for x in c]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="fixtures/golden/lsap.json", help="output JSON path")
    args = ap.parse_args()
    np.random.seed(0)
    cases = []
    for r in range(1, 8):
        for c in range(1, 8):
            for _ in range(5):
                cases.append(case(np.random.randint(0, 4, size=(r, c)).astype(np.float64), True))
    for r in (1, 3, 4, 7):
        for c in (1, 3, 4, 7):
            cases.append(case(np.zeros((r, c)), True))
            cases.append(case(np.full((r, c), 2.0), True))
    for _ in range(30):
        r, c = np.random.randint(1, 8, size=2)
        cases.append(case(np.random.rand(r, c), True))
    for i in range(20):
        r, c = np.random.randint(1, 8, size=2)
        if i < 10:
            m = np.random.randint(0, 4, size=(r, c)).astype(np.float64)
        else:
            m = np.random.rand(r, c)
        cases.append(case(m, False))
    doc = {"source": f"scipy {scipy.__version__} scipy.optimize.linear_sum_assignment, numpy {np.__version__}",
           "cases": cases}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f)
    print(f"wrote {args.out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
