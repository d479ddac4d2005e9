#!/usr/bin/env python3
"""Golden fixture: the official ASOT solver at the benchmarks' larger K (50 Salads 12 and 19,
Desktop Assembly 22), in the default marginal mode.

Makes:   fixtures/golden/asot_official_wide.json (same layout as asot_official.json)
From:    the official ASOT code (github.com/mingu6/action_seg_ot, src/asot.py: segment_asot),
         imported unmodified from a scratch copy given by --asot-src. Nothing is copied into
         this repo. The inputs and the case runner are those of scripts/make_asot_golden.py
         (see its docstring for the dtype handling and the layout).

Scratch copy + regenerate (from the repo root):
    git clone https://github.com/mingu6/action_seg_ot /tmp/action_seg_ot
    git -C /tmp/action_seg_ot checkout 0c4c86b1037eb4c3e262197aeee115b31e220c9d
    python3 scripts/make_asot_golden_wide.py --asot-src /tmp/action_seg_ot/src

Cases: K = 12 at an odd number of frames (301; the Swift solver takes rows in pairs for
9 <= K <= 12, so an odd N has a padding row; 50 Salads eval settings); K = 19 at the training size (256 frames, 50 Salads train settings) and at 1024 frames
(the Swift solver splits the rows in two chunks from there; 50 Salads eval settings); K = 22 at
300 frames (the settings of the official Desktop Assembly example: eps 0.01, alpha 0.6, radius
0.02, lambda_actions 0.09). Each in float64 and float32, the float64 cost being the float32 one
widened, so that both runs see the same numbers.

To keep the file small, numbers are written with the digits the tests need: costs with 9
significant digits, which read back as the same float32 (so both dtypes' inputs are exact);
plans rounded to 1e-10 absolute (the tests hold plans to 1e-5; labels are taken from the
unrounded plans); traces with 13 significant digits in float64 (the tests' bound is 1e-8
relative) and 9 in float32.
"""
import argparse
import json
import os
import subprocess
import sys

import make_asot_golden as base


def rounded(value, digits):
    """value (a number or nested lists of them) with `digits` significant digits."""
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    return value


def absolute(value, places):
    """value (a number or nested lists of them) rounded to `places` decimal places."""
    if isinstance(value, list):
        return [absolute(v, places) for v in value]
    return round(value, places) if isinstance(value, float) else value


def main():
    ap = argparse.ArgumentParser(
        description="Write fixtures/golden/asot_official_wide.json from the official ASOT src/asot.py.",
        epilog="example: python3 scripts/make_asot_golden_wide.py --asot-src /tmp/action_seg_ot/src")
    ap.add_argument("--asot-src", required=True,
                    help="path to the src/ folder of a scratch copy of github.com/mingu6/action_seg_ot")
    ap.add_argument("--asot-git-dir", default=None,
                    help="git dir of the clone (default: the .git folder beside --asot-src or --clot-src), to record its commit id")
    ap.add_argument("--out", default="fixtures/golden/asot_official_wide.json")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.asot_src, "asot.py")):
        ap.error(f"--asot-src {args.asot_src!r} has no asot.py")
    sys.path.insert(0, os.path.abspath(args.asot_src))
    import numpy as np
    import torch
    import asot
    base.np, base.torch = np, torch
    torch.set_num_threads(2)
    git_dir = args.asot_git_dir or os.path.join(os.path.abspath(args.asot_src), os.pardir, ".git")
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"

    cases = []

    def both(name, seed, n, k, note, **kw):
        rs = np.random.RandomState(seed)
        cost = base.gen_cost(rs, n, k, 0.2, asot).astype(np.float32).astype(np.float64)[None]
        mask = np.ones((1, n), dtype=bool)
        for dtype in ("float64", "float32"):
            case, stats = base.run_case(asot, f"{name}_{dtype}", dtype, cost, mask, note=note, **kw)
            case["cost"] = rounded(case["cost"], 9)
            digits = 13 if dtype == "float64" else 9
            case["plan"] = absolute(case["plan"], 10)
            case["obj_trace"] = rounded(case["obj_trace"], digits)
            cases.append(case)
            print(f"  {case['name']:32s} N={n:4d} K={k} obj[-1]={case['obj_trace'][0][-1]: .6e} {stats}", flush=True)

    both("fs_train_N256_K19", 21, 256, 19,
         "50 Salads (FS) train settings: eps 0.07, alpha 0.3, radius 0.04, lambda_actions 0.15, rho 0.2",
         eps=0.07, alpha=0.3, lambda_actions=0.15)
    both("fs_eval_N1024_K19", 22, 1024, 19,
         "50 Salads (FS) eval settings: eps 0.04, alpha 0.6, radius 0.04, lambda_actions 0.01, rho 0.2; "
         "two row chunks in the Swift solver",
         eps=0.04, alpha=0.6, lambda_actions=0.01)
    both("fseval_N301_K12", 25, 301, 12,
         "50 Salads eval granularity (FSeval) eval settings: eps 0.04, alpha 0.6, radius 0.04, lambda_actions 0.01, "
         "rho 0.2; an odd N", eps=0.04, alpha=0.6, lambda_actions=0.01)
    both("da_example_N300_K22", 23, 300, 22,
         "the official Desktop Assembly example's settings: eps 0.01, alpha 0.6, radius 0.02, lambda_actions 0.09",
         eps=0.01, alpha=0.6, radius=0.02, lambda_actions=0.09)

    doc = {"source": f"mingu6/action_seg_ot@{commit} src/asot.py (segment_asot); torch {torch.__version__}, "
                     f"numpy {np.__version__}; float64 cases run under torch.set_default_dtype(torch.float64)",
           "cases": cases, "temporal_prior": [], "temporal_prior_float32": []}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {args.out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
