#!/usr/bin/env python3
"""Golden plans of the L2-regularised, L2-unbalanced OT problem that the released CLOT gsw.py's
unused `get_opt` solves (the choice stage3-ot = l2-unbalanced), made by POT itself:

    ot.solve(M, a, b, reg=0.1, reg_type="l2", unbalanced=0.2, unbalanced_type="l2")

with a = 1/N, b = 1/K, as get_opt passes them. Writes fixtures/golden/quadratic_unbalanced_ot.json:
per case the cost M (row-major), N, K, POT's plan and objective value.

Regenerate (POT 0.9.7, NumPy, SciPy; a virtual environment outside the repository):
    python3 -m venv --system-site-packages VENV && VENV/bin/pip install pot
    VENV/bin/python scripts/make_quadratic_ot_golden.py
"""
import json
import os

import numpy as np
import ot


def case(name, m):
    n, k = m.shape
    a = np.ones(n) / n
    b = np.ones(k) / k
    result = ot.solve(m, a, b, reg=0.1, reg_type="l2", unbalanced=0.2, unbalanced_type="l2")
    return {"name": name, "n": n, "k": k, "cost": m.ravel().tolist(), "plan": np.asarray(result.plan).ravel().tolist(),
            "value": float(result.value), "pot": ot.__version__}


def main():
    rng = np.random.RandomState(19)
    cases = []
    for n, k in [(8, 3), (40, 7), (256, 7)]:
        # A cosine-like cost in [0, 2] plus a prior (what stage 3 gives it): few positive entries.
        cases.append(case(f"cosine N{n} K{k}", rng.uniform(0, 2, (n, k)) + 0.1 * np.abs(
            np.arange(n)[:, None] / n - np.arange(k)[None, :] / k)))
        # Costs near and below 0: a plan with substance, every constraint active somewhere.
        cases.append(case(f"centred N{n} K{k}", rng.uniform(-1, 1, (n, k))))
        cases.append(case(f"small N{n} K{k}", rng.uniform(-0.05, 0.05, (n, k))))
    out = os.path.join(os.path.dirname(__file__), "..", "fixtures", "golden", "quadratic_unbalanced_ot.json")
    with open(out, "w") as f:
        json.dump({"source": "POT ot.solve, reg=0.1 reg_type=l2, unbalanced=0.2 unbalanced_type=l2 (gsw.py get_opt)",
                   "cases": cases}, f)
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
