#!/usr/bin/env python3
"""Golden fixture: outputs of the official ASOT solver (src/asot.py).

Makes:   fixtures/golden/asot_official.json
From:    the official ASOT code (github.com/mingu6/action_seg_ot, src/asot.py:
         segment_asot, temporal_prior), imported unmodified from a scratch copy given
         by --asot-src. Nothing is copied into this repo.

Scratch copy + regenerate (from the repo root):
    git clone https://github.com/mingu6/action_seg_ot /tmp/action_seg_ot
    git -C /tmp/action_seg_ot checkout 0c4c86b1037eb4c3e262197aeee115b31e220c9d
    pip install torch
    python3 scripts/make_asot_golden.py --asot-src /tmp/action_seg_ot/src \
        --asot-git-dir /tmp/action_seg_ot/.git --out fixtures/golden/asot_official.json

dtype handling (important for the Swift side):
    segment_asot builds its marginals (torch.ones(...)/K, /nnz) and the GW conv filter
    (construct_Cv_filter) in torch's DEFAULT dtype. With a float64 cost and the default
    float32 dtype it fails (F.conv1d: "expected scalar type Double but found Float").
    So every "float64" case is run under torch.set_default_dtype(torch.float64) (all
    internal tensors are then float64), and every "float32" case under the normal
    float32 default, with the cost cast to that dtype before the call. float32 results
    are stored as float(x), i.e. the exact float32 value widened to double.

Shapes / conventions:
    cost [b][n][k] (B x N x K, frames x actions), mask [b][n] (True = valid frame),
    plan [b][n][k] = T returned by segment_asot (already rescaled by nnz, so valid rows
    sum to ~1 when frames are balanced), labels [b][n] = plan.argmax(-1) (torch),
    obj_trace [b][outer+1]: segment_asot returns torch.cat of a list of (B,) tensors,
    i.e. a FLAT tensor of length (outer+1)*B ordered iteration-major
    ([it0_b0, it0_b1, it1_b0, ...]); it is reshaped to (outer+1, B) and stored per
    batch item. "step_size": null means the solver calibrated it (4 / max grad at
    iteration 0, over the whole batch, padded rows included); "calibrated_step_size" is
    NOT an output of the official code and is not stored.

Inputs: per case np.random.RandomState(seed): K unit vectors A (K x 16); a random
piecewise-constant label sequence; frame embeddings F = A[label] + 0.5 * N(0,1) noise,
rows L2-normalised; cost = 1 - F A^T + temporal_prior(N, K, rho) (official, float64).
Special inputs are described in each case's "note".

temporal_prior entries ("temporal_prior") are computed with default dtype float64;
"temporal_prior_float32" holds the same (n, k, rho) computed under the float32 default.

Observed when this was written (by wrapping torch.exp during project_to_polytope_KL,
not part of this script): the Sinkhorn stabilisation branch never fires in the
n_iters (25, 1) cases (it cannot: it is skipped on the last inner iteration) nor in
balanced_inner50 (eps 0.07); it fires 50 times in total in balanced_inner50_eps004 (both
dtypes), 76 times in balanced_eps001_underflow_inner50_float64 and 1225 times (every
inner iteration but the last) in balanced_eps001_underflow_inner50_float32. In the
float32 eps 0.01 underflow cases the 15 outlier frames get all-zero plan rows (their
exp(-cost/eps) underflows to 0, a = dx/0 = inf is zeroed by nan_to_num), and their
labels are 0 (argmax of an all-zero row).
"""
import argparse
import json
import os
import subprocess
import sys


def gen_cost(rs, N, K, rho, asot, D=16):
    A = rs.randn(K, D)
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    n_seg = int(rs.randint(2, K + 3))
    labs = rs.randint(0, K, size=n_seg)
    cuts = np.sort(rs.choice(np.arange(1, N), size=n_seg - 1, replace=False))
    bounds = np.concatenate(([0], cuts, [N]))
    lab = np.empty(N, dtype=np.int64)
    for l, a, b in zip(labs, bounds[:-1], bounds[1:]):
        lab[a:b] = l
    F = A[lab] + 0.5 * rs.randn(N, D)
    F /= np.linalg.norm(F, axis=1, keepdims=True)
    prior = prior_np(asot, N, K, rho, torch.float64)
    return 1.0 - F @ A.T + prior


def prior_np(asot, n, k, rho, dtype):
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        return asot.temporal_prior(n, k, rho, "cpu").numpy().astype(np.float64)
    finally:
        torch.set_default_dtype(old)


DEFAULTS = dict(eps=0.07, alpha=0.3, radius=0.04, ub_frames=False, ub_actions=True,
                lambda_frames=0.1, lambda_actions=0.05, n_iters=(25, 1), step_size=None)


def run_case(asot, name, dtype, cost, mask, note="", **kw):
    params = dict(DEFAULTS)
    params.update(kw)
    tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    old = torch.get_default_dtype()
    torch.set_default_dtype(tdtype)
    try:
        C = torch.tensor(cost, dtype=tdtype)
        M = torch.tensor(mask, dtype=torch.bool)
        T, obj = asot.segment_asot(C, M, eps=params["eps"], alpha=params["alpha"], radius=params["radius"],
                                   ub_frames=params["ub_frames"], ub_actions=params["ub_actions"],
                                   lambda_frames=params["lambda_frames"], lambda_actions=params["lambda_actions"],
                                   n_iters=tuple(params["n_iters"]), step_size=params["step_size"])
    finally:
        torch.set_default_dtype(old)
    B, N, K = C.shape
    assert T.dtype == tdtype and obj.dtype == tdtype, (T.dtype, obj.dtype)
    outer = params["n_iters"][0]
    assert obj.shape == ((outer + 1) * B,), obj.shape
    obj = obj.reshape(outer + 1, B).T
    labels = T.argmax(-1)
    stats = {"nan": int(torch.isnan(T).sum()), "zero_rows_valid": int(((T.sum(-1) == 0) & M).sum()),
             "min_rowsum_valid": float(T.sum(-1)[M].min()), "max_rowsum_valid": float(T.sum(-1)[M].max())}
    p = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
    return {"name": name, "dtype": dtype, "note": note, "B": B, "N": N, "K": K,
            "cost": [[[float(x) for x in row] for row in cb] for cb in C.tolist()],
            "mask": [[bool(x) for x in mb] for mb in M.tolist()],
            "params": p,
            "plan": [[[float(x) for x in row] for row in tb] for tb in T.tolist()],
            "labels": [[int(x) for x in lb] for lb in labels.tolist()],
            "obj_trace": [[float(x) for x in ob] for ob in obj.tolist()]}, stats


def main():
    ap = argparse.ArgumentParser(
        description="Write fixtures/golden/asot_official.json from the official ASOT src/asot.py.",
        epilog="example: python3 scripts/make_asot_golden.py --asot-src /tmp/action_seg_ot/src")
    ap.add_argument("--asot-src", required=True,
                    help="path to the src/ folder of a scratch copy of github.com/mingu6/action_seg_ot")
    ap.add_argument("--asot-git-dir", default=None,
                    help="git dir of the clone (default: the .git folder beside --asot-src or --clot-src), to record its commit id")
    ap.add_argument("--out", default="fixtures/golden/asot_official.json")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.asot_src, "asot.py")):
        ap.error(f"--asot-src {args.asot_src!r} has no asot.py")
    sys.path.insert(0, os.path.abspath(args.asot_src))
    global np, torch
    import numpy as np
    import torch
    import asot
    torch.set_num_threads(2)
    git_dir = args.asot_git_dir or os.path.join(os.path.abspath(args.asot_src), os.pardir, ".git")
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"

    cases, allstats = [], []

    def both(name, cost, mask, note="", dtypes=("float64", "float32"), **kw):
        for dt in dtypes:
            c, s = run_case(asot, f"{name}_{dt}", dt, cost, mask, note=note, **kw)
            cases.append(c)
            allstats.append((c["name"], s))

    def single(seed, N, K, rho=0.2):
        rs = np.random.RandomState(seed)
        return gen_cost(rs, N, K, rho, asot)[None], np.ones((1, N), dtype=bool)

    # --- every marginal mode with the ASOT defaults, float64 and float32 ---
    c, m = single(1, 97, 5)
    both("default_ub_actions", c, m, note="(ub_frames, ub_actions) = (False, True), defaults")
    c, m = single(2, 40, 3)
    both("ub_frames_only", c, m, note="(True, False)", ub_frames=True, ub_actions=False)
    c, m = single(3, 150, 8)
    both("ub_both_auto_step", c, m, note="(True, True), step_size calibrated", ub_frames=True, ub_actions=True)
    c, m = single(4, 97, 3)
    both("ub_both_fixed_step", c, m, note="(True, True), fixed step_size 3.0", ub_frames=True, ub_actions=True,
         step_size=3.0)
    c, m = single(5, 150, 5)
    both("balanced", c, m, note="(False, False): Sinkhorn projection, n_iters (25, 1)",
         ub_frames=False, ub_actions=False)
    c, m = single(6, 256, 8)
    both("default_N256_K8", c, m, note="training-size video (256 sampled frames), defaults")

    # --- batch of 2 with padding mask (batch-wide step calibration) ---
    def padded(seed, N, K, pad=60):
        rs = np.random.RandomState(seed)
        c0 = gen_cost(rs, N, K, 0.2, asot)
        c1 = gen_cost(rs, N, K, 0.2, asot)
        c1[N - pad:] = rs.uniform(0.0, 3.0, size=(pad, K))  # arbitrary values on padded rows
        mask = np.ones((2, N), dtype=bool)
        mask[1, N - pad:] = False
        return np.stack([c0, c1]), mask

    c, m = padded(7, 150, 5)
    both("batch2_padding_default", c, m,
         note="B=2, item 1 has its last 60 frames masked; padded cost rows uniform in [0,3) (they enter the "
              "step-size max)")
    c, m = padded(8, 97, 3)
    both("batch2_padding_balanced", c, m, note="B=2 with padding, balanced (False, False)",
         ub_frames=False, ub_actions=False)

    # --- balanced with more Sinkhorn iterations (stabilisation can fire) ---
    c, m = single(9, 97, 8)
    both("balanced_inner50", c, m, note="balanced, n_iters (25, 50)", ub_frames=False, ub_actions=False,
         n_iters=(25, 50))
    both("balanced_inner50_eps004", c, m, note="balanced, eps 0.04, n_iters (25, 50): log-domain "
         "stabilisation (threshold 7) fires", eps=0.04, ub_frames=False, ub_actions=False, n_iters=(25, 50))

    # --- balanced eps 0.01, cost in [0, 2] with outlier frames: float32 exp underflow ---
    rs = np.random.RandomState(10)
    N, K = 97, 5
    c = np.clip(gen_cost(rs, N, K, 0.2, asot), 0.0, 2.0)
    c[40:50] = rs.uniform(1.8, 2.0, size=(10, K))
    c[N - 5:] = rs.uniform(1.8, 2.0, size=(5, K))
    c, m = c[None], np.ones((1, N), dtype=bool)
    note = ("balanced, eps 0.01, cost clipped to [0,2] with outlier frames 40..49 and the last 5 frames "
            "uniform in [1.8,2.0]: exp(-cost/eps) underflows in float32")
    both("balanced_eps001_underflow", c, m, note=note + "; n_iters (25, 1)", eps=0.01,
         ub_frames=False, ub_actions=False)
    both("balanced_eps001_underflow_inner50", c, m, note=note + "; n_iters (25, 50)", eps=0.01,
         ub_frames=False, ub_actions=False, n_iters=(25, 50))

    # --- settings used by the released Breakfast runs (run_bf.sh + train.py defaults) ---
    c, m = single(11, 150, 8, rho=0.2)
    both("breakfast_eval_settings", c, m,
         note="eval: eps 0.04, alpha 0.7, radius 0.04, lambda_frames 0.05, lambda_actions 0.01, ub_actions, rho 0.2",
         eps=0.04, alpha=0.7, lambda_frames=0.05, lambda_actions=0.01)
    c, m = single(12, 97, 5, rho=0.2)
    both("breakfast_train_settings", c, m,
         note="train: eps 0.07, alpha 0.4, radius 0.04, lambda_frames 0.05, lambda_actions 0.1, ub_actions, rho 0.2",
         eps=0.07, alpha=0.4, lambda_frames=0.05, lambda_actions=0.1)

    # --- edge cases (float64 only) ---
    c, m = single(13, 40, 5)
    both("no_gw_alpha0", c, m, note="alpha 0 (no GW term)", dtypes=("float64",), alpha=0.0)
    c, m = single(14, 40, 4)
    both("radius_below_one_frame", c, m, note="radius 0.02 at N=40: int(N*r)=0, GW filter is [0]",
         dtypes=("float64",), radius=0.02)

    tp = []
    tp32 = []
    for n, k, rho in [(10, 3, 0.2), (256, 7, 0.15), (97, 8, 0.25)]:
        tp.append({"n": n, "k": k, "rho": rho, "prior": prior_np(asot, n, k, rho, torch.float64).tolist()})
        tp32.append({"n": n, "k": k, "rho": rho, "prior": prior_np(asot, n, k, rho, torch.float32).tolist()})

    doc = {"source": f"mingu6/action_seg_ot@{commit} src/asot.py (segment_asot, temporal_prior); "
                     f"torch {torch.__version__}, numpy {np.__version__}; float64 cases run under "
                     f"torch.set_default_dtype(torch.float64)",
           "cases": cases, "temporal_prior": tp, "temporal_prior_float32": tp32}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f)
    print(f"wrote {args.out}: {len(cases)} cases")
    for (name, s), c in zip(allstats, cases):
        print(f"  {name:44s} B={c['B']} N={c['N']:3d} K={c['K']} obj[-1]={c['obj_trace'][0][-1]: .6e} {s}")


if __name__ == "__main__":
    main()
