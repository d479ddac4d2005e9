#!/usr/bin/env python3
"""Timing reference: the official ASOT solver (segment_asot) on CPU.

Makes:   fixtures/golden/asot_official_timing.json (or --json-out PATH), and prints a table.
From:    the official ASOT code (github.com/mingu6/action_seg_ot, src/asot.py:
         segment_asot), imported unmodified from a scratch copy given by --asot-src.

Scratch copy + regenerate (from the repo root):
    git clone https://github.com/mingu6/action_seg_ot /tmp/action_seg_ot
    git -C /tmp/action_seg_ot checkout 0c4c86b1037eb4c3e262197aeee115b31e220c9d
    pip install torch
    python3 scripts/bench_official_asot.py --asot-src /tmp/action_seg_ot/src \
        --json-out fixtures/golden/asot_official_timing.json

Setup: torch.set_num_threads(threads) (default 2); for each N: torch.manual_seed(0);
cost = torch.rand(1, N, 8) (float32, uniform [0, 1)); mask = None;
segment_asot(cost, eps=0.01, alpha=0.6, radius=0.04, ub_frames=False, ub_actions=True,
             lambda_frames=0.1, lambda_actions=0.05, n_iters=(25, 1), step_size=None).
1 warm-up call, then the median of 5 timed calls (3 when N >= 10000), wall clock
(time.perf_counter) around the call only.

Options: --sizes 1000,5000 (default 1000,2000,5000,10000,20000), --threads, --json-out.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(
        description="Time the official ASOT segment_asot on CPU (float32, K = 8 unless --clusters).",
        epilog="example: python3 scripts/bench_official_asot.py --asot-src /tmp/action_seg_ot/src "
               "--sizes 1000,5000 --json-out /tmp/t.json")
    ap.add_argument("--asot-src", required=True,
                    help="path to the src/ folder of a scratch copy of github.com/mingu6/action_seg_ot")
    ap.add_argument("--asot-git-dir", default=None,
                    help="git dir of the clone (default: the .git folder beside --asot-src or --clot-src), to record its commit id")
    ap.add_argument("--sizes", default="1000,2000,5000,10000,20000", help="comma-separated N values")
    ap.add_argument("--clusters", default="8", help="comma-separated K values")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json-out", default="fixtures/golden/asot_official_timing.json")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.asot_src, "asot.py")):
        ap.error(f"--asot-src {args.asot_src!r} has no asot.py")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    clusters = [int(s) for s in args.clusters.split(",") if s.strip()]
    sys.path.insert(0, os.path.abspath(args.asot_src))
    import torch
    import asot
    torch.set_num_threads(args.threads)
    git_dir = args.asot_git_dir or os.path.join(os.path.abspath(args.asot_src), os.pardir, ".git")
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    kw = dict(eps=0.01, alpha=0.6, radius=0.04, ub_frames=False, ub_actions=True,
              lambda_frames=0.1, lambda_actions=0.05, n_iters=(25, 1), step_size=None)
    rows = []
    print(f"{'N':>7} {'K':>3} {'median_s':>10}  runs")
    for N, K in [(N, K) for N in sizes for K in clusters]:
        torch.manual_seed(0)
        cost = torch.rand(1, N, K)
        asot.segment_asot(cost, **kw)  # warm-up
        runs = []
        for _ in range(3 if N >= 10000 else 5):
            t0 = time.perf_counter()
            asot.segment_asot(cost, **kw)
            runs.append(time.perf_counter() - t0)
        med = statistics.median(runs)
        rows.append({"N": N, "K": K, "median_seconds": med, "runs": runs})
        print(f"{N:>7} {K:>3} {med:>10.4f}  " + " ".join(f"{r:.4f}" for r in runs), flush=True)
    doc = {"source": f"mingu6/action_seg_ot@{commit} src/asot.py segment_asot; torch {torch.__version__}; "
                     f"float32 cost torch.rand(1,N,K) seed 0; eps 0.01 alpha 0.6 radius 0.04 ub_actions "
                     f"n_iters (25,1); 1 warm-up, median of 5 (3 for N>=10000)",
           "threads": args.threads, "cpu": cpu_model(), "rows": rows}
    os.makedirs(os.path.dirname(os.path.abspath(args.json_out)), exist_ok=True)
    with open(args.json_out, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {args.json_out}")


if __name__ == "__main__":
    main()
