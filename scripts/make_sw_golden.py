#!/usr/bin/env python3
"""Golden fixture: CLOT's sliced-Wasserstein cost matrix and POT's sliced Wasserstein distance.

Makes:   fixtures/golden/sliced_wasserstein.json
From:    (a) the official CLOT code (github.com/elenabbbuenob/CLOT, src/gsw.py:
             SlicedWassersteinCostMatrix), imported unmodified from a scratch copy given
             by --clot-src. Nothing is copied into this repo.
         (b) POT (pip package "POT"): ot.sliced_wasserstein_distance, ot.wasserstein_1d,
             ot.emd2_1d.

Scratch copy + regenerate (from the repo root):
    git clone https://github.com/elenabbbuenob/CLOT /tmp/CLOT
    git -C /tmp/CLOT checkout 0a43eb961ca827334989be6a1a02d21262bba299
    pip install torch POT
    python3 scripts/make_sw_golden.py --clot-src /tmp/CLOT/src \
        --clot-git-dir /tmp/CLOT/.git --out fixtures/golden/sliced_wasserstein.json

(a) "gsw": one entry per case
    {"name", "dtype", "radius": 2, "N", "M", "d", "P",
     "theta": [[...]] P x d (rows unit-norm), "X": [[...]] N x d, "Y": [[...]] M x d,
     "cost_sorted": [[...]] N x M  (what compute_cost_matrix returns, batch index 0),
     "cost_unsorted": [[...]] N x M}
    The instance is SlicedWassersteinCostMatrix(radius=2, nofprojections=P, use_cuda=False);
    its _random_projections is replaced by `lambda dim: theta` (fixed theta from
    np.random.RandomState, rows normalised) so the output is deterministic. X is passed
    as a 1 x N x d tensor, Y as M x d. X rows and Y rows are L2-normalised.
    cost_unsorted is computed here with the same steps as the official method up to the
    sort: slices = inst._circular_projection(...) (official method), F.normalize(p=2,
    dim=-1), then torch.cdist(X_slices, Y_slices, p=2) WITHOUT the sort along the frame
    axis. compute_cost_matrix computes that matrix too (adds temp_prior to it) but returns
    the cdist of the SORTED slices instead.
    Note: torch.cdist(p=2) with its default compute_mode uses the matrix-multiplication
    formula sqrt(|x|^2 + |y|^2 - 2 x.y) when either operand has more than 25 rows
    (cases N=30 and N=64 here), and direct differences otherwise (N=12).
    The float32 case has theta, X, Y in float32 (values stored widened to double).

(b) "pot": one entry per case
    {"name", "p", "projections": [[...]] L x d (row l = direction l, unit norm),
     "projections_layout": "L x d rows; POT receives the transpose (d x L)",
     "X_s": [[...]] n x d, "X_t": [[...]] m x d, optional "a", "b" (weights),
     "value": ot.sliced_wasserstein_distance(X_s, X_t, a, b, n_projections=L, p=p,
              projections=PROJ.T)}
    POT's `projections` argument has shape (d, n_projections) (from its docstring and
    code: X_s @ projections); value = (mean_l W_p^p(proj_l X_s, proj_l X_t))^(1/p).
    For d = 1 entries also store "wasserstein_1d" = ot.wasserstein_1d(X_s[:,0], X_t[:,0],
    a, b, p=p) and "emd2_1d" = ot.emd2_1d(X_s[:,0], X_t[:,0], a, b, metric='minkowski',
    p=p); both are W_p^p (the p-th POWER of the p-Wasserstein distance), so for d = 1
    (directions are +-1) value**p == wasserstein_1d up to rounding.
"""
import argparse
import json
import os
import subprocess
import sys


def unit_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def gsw_case(SW, name, N, M, d, P, seed, dtype):
    rs = np.random.RandomState(seed)
    theta = unit_rows(rs.randn(P, d))
    X = unit_rows(rs.randn(N, d))
    Y = unit_rows(rs.randn(M, d))
    tdt = {"float64": torch.float64, "float32": torch.float32}[dtype]
    th_t = torch.tensor(theta, dtype=tdt)
    X_t = torch.tensor(X, dtype=tdt)[None]
    Y_t = torch.tensor(Y, dtype=tdt)
    inst = SW(radius=2, nofprojections=P, use_cuda=False)
    inst._random_projections = lambda dim: th_t
    cost_sorted = inst.compute_cost_matrix(X_t, Y_t)
    assert cost_sorted.shape == (1, N, M) and cost_sorted.dtype == tdt
    Xs = F.normalize(inst._circular_projection(X_t, th_t), p=2, dim=-1)
    Ys = F.normalize(inst._circular_projection(Y_t.unsqueeze(0), th_t), p=2, dim=-1)
    cost_unsorted = torch.cdist(Xs, Ys, p=2)
    # diagnostic only: exact direct-difference cdist of the sorted slices (float64)
    Xo = Xs.sort(dim=1)[0].double()
    Yo = Ys.sort(dim=1)[0].double()
    direct = ((Xo[0][:, None, :] - Yo[0][None, :, :]) ** 2).sum(-1).sqrt()
    diag = float((direct - cost_sorted[0].double()).abs().max())
    return {"name": name, "dtype": dtype, "radius": 2, "N": N, "M": M, "d": d, "P": P,
            "theta": th_t.tolist(), "X": X_t[0].tolist(), "Y": Y_t.tolist(),
            "cost_sorted": cost_sorted[0].tolist(), "cost_unsorted": cost_unsorted[0].tolist()}, diag


def pot_case(name, rs, n, m, d, p, L, weighted=False):
    X_s = rs.randn(n, d)
    X_t = rs.randn(m, d) * 0.8 + 0.5
    PROJ = unit_rows(rs.randn(L, d))
    a = b = None
    e = {"name": name, "p": p, "L": L, "d": d, "projections": PROJ.tolist(),
         "projections_layout": "L x d rows; POT receives the transpose (d x L)",
         "X_s": X_s.tolist(), "X_t": X_t.tolist()}
    if weighted:
        a = rs.rand(n) + 0.1
        a /= a.sum()
        b = rs.rand(m) + 0.1
        b /= b.sum()
        e["a"] = a.tolist()
        e["b"] = b.tolist()
    e["value"] = float(ot.sliced_wasserstein_distance(X_s, X_t, a=a, b=b, n_projections=L, p=p,
                                                      projections=PROJ.T))
    if d == 1:
        e["wasserstein_1d"] = float(ot.wasserstein_1d(X_s[:, 0], X_t[:, 0], a, b, p=p))
        e["emd2_1d"] = float(ot.emd2_1d(X_s[:, 0], X_t[:, 0], a=a, b=b, metric="minkowski", p=p))
    return e


def main():
    ap = argparse.ArgumentParser(
        description="Write fixtures/golden/sliced_wasserstein.json from the official CLOT src/gsw.py and POT.",
        epilog="example: python3 scripts/make_sw_golden.py --clot-src /tmp/CLOT/src")
    ap.add_argument("--clot-src", required=True,
                    help="path to the src/ folder of a scratch copy of github.com/elenabbbuenob/CLOT")
    ap.add_argument("--clot-git-dir", default=None,
                    help="git dir of the clone (default: the .git folder beside --asot-src or --clot-src), to record its commit id")
    ap.add_argument("--out", default="fixtures/golden/sliced_wasserstein.json")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.clot_src, "gsw.py")):
        ap.error(f"--clot-src {args.clot_src!r} has no gsw.py")
    sys.path.insert(0, os.path.abspath(args.clot_src))
    global np, torch, F, ot
    import numpy as np
    import torch
    import torch.nn.functional as F
    import ot
    from gsw import SlicedWassersteinCostMatrix
    git_dir = args.clot_git_dir or os.path.join(os.path.abspath(args.clot_src), os.pardir, ".git")
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"

    gsw = []
    for name, (N, M, d, P), seed, dt in [("N30_M5_d8_P150", (30, 5, 8, 150), 0, "float64"),
                                         ("N30_M5_d8_P150", (30, 5, 8, 150), 0, "float32"),
                                         ("N12_M7_d3_P20", (12, 7, 3, 20), 1, "float64"),
                                         ("N64_M7_d40_P150", (64, 7, 40, 150), 2, "float64")]:
        e, diag = gsw_case(SlicedWassersteinCostMatrix, f"{name}_{dt}", N, M, d, P, seed, dt)
        gsw.append(e)
        print(f"gsw {e['name']}: max |torch.cdist - direct| on sorted slices = {diag:.3e}")

    rs = np.random.RandomState(0)
    pot = []
    for d in (1, 3, 8):
        for p in (1, 2, 3):
            for L in (1, 10, 50):
                for n, m in ((30, 30), (40, 25)):
                    pot.append(pot_case(f"d{d}_p{p}_L{L}_n{n}_m{m}", rs, n, m, d, p, L))
    for d, p, L in ((1, 2, 10), (3, 1, 10), (8, 2, 50)):
        pot.append(pot_case(f"weighted_d{d}_p{p}_L{L}_n40_m25", rs, 40, 25, d, p, L, weighted=True))
    for e in pot:
        if "wasserstein_1d" in e:
            print(f"pot {e['name']}: value**p={e['value'] ** e['p']:.15g} wasserstein_1d={e['wasserstein_1d']:.15g} "
                  f"emd2_1d={e['emd2_1d']:.15g}")

    doc = {"source": f"elenabbbuenob/CLOT@{commit} src/gsw.py (SlicedWassersteinCostMatrix.compute_cost_matrix, "
                     f"fixed theta); POT {ot.__version__} (ot.sliced_wasserstein_distance, ot.wasserstein_1d, "
                     f"ot.emd2_1d); torch {torch.__version__}, numpy {np.__version__}",
           "gsw": gsw, "pot": pot}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f)
    print(f"wrote {args.out}: {len(gsw)} gsw cases, {len(pot)} pot cases")


if __name__ == "__main__":
    main()
