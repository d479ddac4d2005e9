#!/usr/bin/env python3
"""Golden fixture: outputs of the official ASOT src/metrics.py.

Makes:   fixtures/golden/metrics.json
From:    the official ASOT code (github.com/mingu6/action_seg_ot, src/metrics.py:
         eval_mof, eval_f1, eval_miou, indep_eval_metrics), imported unmodified
         from a scratch copy given by --asot-src. Nothing is copied into this repo.

Scratch copy + regenerate (from the repo root):
    git clone https://github.com/mingu6/action_seg_ot /tmp/action_seg_ot
    git -C /tmp/action_seg_ot checkout 0c4c86b1037eb4c3e262197aeee115b31e220c9d
    pip install torch torchmetrics scikit-learn POT
    python3 scripts/make_metrics_golden.py --asot-src /tmp/action_seg_ot/src \
        --asot-git-dir /tmp/action_seg_ot/.git --out fixtures/golden/metrics.json

How the values are computed (mirrors src/train.py test_step / on_test_epoch_end):
  activity level ("activity"):
      np.random.seed(seed)
      P, G = concatenation of all videos' pred / gt (np.int64 arrays)
      n_videos = torch.tensor([float(len(videos))])      # float32, as ClusteringMetrics keeps it
      mof, p2g = eval_mof(P, G, n_videos, exclude)
      f1, _    = eval_f1(P, G, n_videos, exclude, p2g)    # consumes np.random (random_integers)
      miou, _  = eval_miou(P, G, n_videos, exclude, p2g)
      pred_to_gt = list(p2g.items()) as [[int(p), int(g)], ...] in dict order
    NOTE: because n_videos is a float32 torch tensor, eval_f1's precision (and so f1)
    is a float32 torch tensor at activity level; it is stored as float(f1), i.e. the
    float32 value widened to double. mof and miou are float64.
  video level ("video"):
      np.random.seed(seed)                                # re-seeded
      for each video in order:
          m = indep_eval_metrics(torch.tensor(pred)[None], torch.tensor(gt)[None],
                                 torch.ones(1, len(gt), dtype=torch.bool),
                                 ['mof', 'f1', 'miou'], exclude_cls=exclude)
      per_video = those three values (float64; n_videos is the int 1 there)
      video-level mof/f1/miou = arithmetic mean of per_video (Lightning's epoch mean
      of values logged once per step with batch size 1).

Format: {"source": str, "cases": [{"name", "exclude": null|int, "seed": int,
  "videos": [{"name", "pred": [int], "gt": [int]}],
  "activity": {"mof", "f1", "miou", "pred_to_gt": [[p, g], ...]},
  "video": {"mof", "f1", "miou", "per_video": [{"mof", "f1", "miou"}, ...]}}]}
"""
import argparse
import json
import os
import subprocess
import sys


def seq(segs):
    """[(label, length), ...] -> flat label list."""
    out = []
    for lab, n in segs:
        out += [lab] * n
    return out


def relabel(x, mapping):
    return [mapping[v] for v in x]


def hand_cases():
    C = []

    def add(name, videos, exclude=None, seed=0):
        vids = [{"name": f"{name}_v{i}", "pred": list(map(int, p)), "gt": list(map(int, g))}
                for i, (p, g) in enumerate(videos)]
        for v in vids:
            assert len(v["pred"]) == len(v["gt"]) > 0, (v["name"], len(v["pred"]), len(v["gt"]))
        C.append({"name": name, "exclude": exclude, "seed": seed, "videos": vids})

    g = seq([(0, 10), (1, 15), (2, 12)])
    add("identical_single_video", [(g, g)], seed=0)

    g1 = seq([(0, 8), (1, 20), (2, 9), (3, 11)])
    g2 = seq([(0, 12), (2, 6), (1, 14), (3, 10)])
    pm = {0: 2, 1: 3, 2: 0, 3: 1}
    add("permuted_ids_two_videos", [(relabel(g1, pm), g1), (relabel(g2, pm), g2)], seed=1)

    # more predicted clusters than GT classes: GT segment 1 split into clusters 1 and 4
    g = seq([(0, 10), (1, 20), (2, 10)])
    p = seq([(0, 10), (1, 12), (4, 8), (2, 10)])
    g_b = seq([(0, 7), (1, 9), (2, 14)])
    p_b = seq([(0, 5), (3, 2), (1, 9), (2, 14)])
    add("more_pred_clusters", [(p, g), (p_b, g_b)], seed=7)

    # fewer predicted clusters: GT classes 1 and 2 merged into cluster 1
    g = seq([(0, 10), (1, 10), (2, 10), (3, 10)])
    p = seq([(0, 10), (1, 20), (3, 10)])
    g_b = seq([(0, 6), (2, 8), (1, 5), (3, 9)])
    p_b = seq([(0, 6), (1, 13), (3, 9)])
    add("fewer_pred_clusters", [(p, g), (p_b, g_b)], seed=0)

    # a GT class never predicted (single predicted cluster for everything)
    g = seq([(0, 5), (1, 17), (2, 8)])
    add("single_pred_cluster", [([3] * len(g), g)], seed=1)

    # GT class 4 appears but is never matched (3 clusters vs 4 classes) in a 3-video set
    g1 = seq([(0, 9), (4, 3), (1, 10), (2, 8)])
    g2 = seq([(0, 7), (1, 12), (4, 2), (2, 9)])
    g3 = seq([(0, 5), (1, 6), (2, 11)])
    add("gt_class_never_predicted", [(seq([(0, 9), (1, 13), (2, 8)]), g1),
                                     (seq([(0, 7), (1, 14), (2, 9)]), g2),
                                     (seq([(0, 5), (1, 6), (2, 11)]), g3)], seed=7)

    # background -1 excluded, in the middle of the videos
    g1 = seq([(0, 10), (-1, 6), (1, 12), (2, 8)])
    p1 = seq([(0, 12), (1, 16), (2, 8)])
    g2 = seq([(0, 7), (1, 9), (-1, 4), (2, 10)])
    p2 = seq([(0, 7), (1, 9), (0, 4), (2, 10)])
    add("exclude_bg_middle", [(p1, g1), (p2, g2)], exclude=-1, seed=0)

    # background at the start and end of videos
    g1 = seq([(-1, 5), (0, 10), (1, 12), (2, 8), (-1, 7)])
    p1 = seq([(2, 5), (0, 10), (1, 12), (2, 8), (1, 7)])
    g2 = seq([(-1, 1), (0, 7), (2, 10), (1, 9), (-1, 1)])
    p2 = seq([(1, 1), (0, 8), (2, 9), (1, 10)])
    add("exclude_bg_ends", [(p1, g1), (p2, g2)], exclude=-1, seed=1)

    # exclude=-1 given, no -1 in GT (filter is a no-op)
    g = seq([(0, 12), (1, 9), (2, 14)])
    p = seq([(1, 10), (0, 13), (2, 12)])
    add("exclude_set_but_absent", [(p, g)], exclude=-1, seed=7)

    # exclude a non-background class id (0), predictions keep using id 0 elsewhere
    g = seq([(0, 6), (1, 9), (2, 7), (0, 4), (3, 8)])
    p = seq([(0, 8), (1, 7), (2, 9), (3, 10)])
    add("exclude_class_zero", [(p, g)], exclude=0, seed=0)

    # very short segments: length-1 segments, including a 1-frame final segment
    g1 = seq([(0, 1), (1, 3), (2, 1), (0, 2), (3, 1), (1, 4), (2, 1)])
    p1 = seq([(0, 2), (1, 2), (2, 1), (0, 1), (3, 2), (1, 4), (2, 1)])
    g2 = seq([(3, 5), (1, 1), (0, 6), (2, 1)])
    p2 = seq([(3, 4), (1, 2), (0, 6), (2, 1)])
    add("short_segments_final_1frame", [(p1, g1), (p2, g2)], seed=1)

    # a single one-frame video among others
    add("one_frame_video", [(seq([(0, 6), (1, 6)]), seq([(0, 5), (1, 7)])), ([1], [0]),
                            (seq([(1, 3), (0, 4)]), seq([(1, 4), (0, 3)]))], seed=7)

    # an action repeats within a video -> precision can exceed 1 -> F1 > 1
    g = seq([(0, 8), (1, 8), (0, 8), (1, 8), (0, 8), (1, 8)])
    add("repeated_action_f1_gt_1", [(g, g)], seed=0)
    g1 = seq([(0, 6), (1, 5), (2, 7), (1, 6), (0, 6), (2, 4)])
    g2 = seq([(2, 5), (0, 6), (2, 4), (1, 9)])
    p1 = seq([(1, 6), (2, 5), (0, 7), (2, 6), (1, 6), (0, 4)])
    p2 = seq([(0, 5), (1, 6), (0, 4), (2, 9)])
    add("repeated_action_two_videos", [(p1, g1), (p2, g2)], seed=1)

    # overlap ties: pred 0 and pred 1 each cover half of GT 0 and half of GT 1
    g = seq([(0, 10), (1, 10)])
    p = seq([(0, 5), (1, 5), (0, 5), (1, 5)])
    add("overlap_ties_2x2", [(p, g)], seed=0)
    # 3 clusters vs 3 classes, every overlap equal to 4 (all-equal affinity)
    g = seq([(0, 12), (1, 12), (2, 12)])
    p = seq([(0, 4), (1, 4), (2, 4)] * 3)
    add("overlap_ties_all_equal_3x3", [(p, g)], seed=7)
    # partial ties with more clusters than classes
    g = seq([(0, 6), (1, 6), (2, 6)])
    p = seq([(3, 3), (0, 3), (0, 3), (1, 3), (1, 3), (3, 3)])
    add("overlap_ties_wide", [(p, g)], seed=1)

    # large, non-contiguous predicted ids
    g1 = seq([(0, 9), (1, 14), (2, 10)])
    p1 = seq([(17, 8), (0, 15), (5, 10)])
    g2 = seq([(0, 11), (2, 7), (1, 12)])
    p2 = seq([(17, 12), (5, 6), (0, 9), (42, 3)])
    add("noncontiguous_pred_ids", [(p1, g1), (p2, g2)], seed=0)

    # last GT class of video 1 == first GT class of video 2: at activity level the
    # concatenation merges them into one segment (segments are found on the concatenation)
    g1 = seq([(0, 8), (1, 10), (2, 6)])
    g2 = seq([(2, 7), (0, 9), (1, 8)])
    p1 = seq([(1, 8), (0, 10), (2, 6)])
    p2 = seq([(2, 6), (1, 10), (0, 8)])
    add("segment_spans_video_boundary", [(p1, g1), (p2, g2)], seed=7)
    return C


def random_case(name, rs, seed, exclude=None, n_vid=None):
    n_vid = n_vid or int(rs.randint(3, 6))
    K = int(rs.randint(3, 9))
    perm = rs.permutation(K + 1)  # K GT classes -> K+1 cluster ids (one extra cluster)
    videos = []
    for v in range(n_vid):
        N = int(rs.randint(20, 401))
        n_seg = int(rs.randint(2, min(K, 6) + 3))
        labs = list(rs.choice(K, size=n_seg))
        if exclude is not None:
            labs = [-1] + labs + ([-1] if rs.rand() < 0.5 else [])
            if n_seg > 2:
                labs.insert(len(labs) // 2, -1)
        cuts = sorted(rs.choice(np.arange(1, N), size=len(labs) - 1, replace=False))
        bounds = [0] + list(cuts) + [N]
        gt = np.empty(N, dtype=np.int64)
        for lab, a, b in zip(labs, bounds[:-1], bounds[1:]):
            gt[a:b] = lab
        # prediction: GT under a random permutation, boundary jitter, label noise
        pred = np.where(gt >= 0, perm[np.clip(gt, 0, None)], perm[K])
        for a in bounds[1:-1]:
            j = int(rs.randint(-4, 5))
            if j > 0:
                pred[a:min(a + j, N)] = pred[a - 1]
            elif j < 0:
                pred[max(a + j, 0):a] = pred[a] if a < N else pred[a - 1]
        noise = rs.rand(N) < 0.08
        pred[noise] = rs.randint(0, K + 1, size=int(noise.sum()))
        videos.append({"name": f"{name}_v{v}", "pred": [int(x) for x in pred], "gt": [int(x) for x in gt]})
    return {"name": name, "exclude": exclude, "seed": seed, "videos": videos}


def evaluate(case, metrics, torch):
    eval_mof, eval_f1, eval_miou, indep_eval_metrics = metrics
    ex = case["exclude"]
    np.random.seed(case["seed"])
    P = np.concatenate([np.array(v["pred"], dtype=np.int64) for v in case["videos"]])
    G = np.concatenate([np.array(v["gt"], dtype=np.int64) for v in case["videos"]])
    n_videos = torch.tensor([float(len(case["videos"]))])
    mof, p2g = eval_mof(P, G, n_videos, ex)
    f1, _ = eval_f1(P, G, n_videos, ex, p2g)
    miou, _ = eval_miou(P, G, n_videos, ex, p2g)
    act = {"mof": float(mof), "f1": float(f1), "miou": float(miou),
           "pred_to_gt": [[int(p), int(g)] for p, g in p2g.items()],
           "_types": {"mof": type(mof).__name__, "f1": f"{type(f1).__name__}:{getattr(f1, 'dtype', '')}",
                      "miou": type(miou).__name__}}
    np.random.seed(case["seed"])
    per = []
    for v in case["videos"]:
        m = indep_eval_metrics(torch.tensor(v["pred"])[None], torch.tensor(v["gt"])[None],
                               torch.ones(1, len(v["gt"]), dtype=torch.bool), ['mof', 'f1', 'miou'],
                               exclude_cls=ex)
        per.append({k: float(m[k]) for k in ("mof", "f1", "miou")})
    vid = {k: float(sum(p[k] for p in per) / len(per)) for k in ("mof", "f1", "miou")}
    vid["per_video"] = per
    case = dict(case)
    case["activity"] = act
    case["video"] = vid
    return case


def main():
    ap = argparse.ArgumentParser(
        description="Write fixtures/golden/metrics.json from the official ASOT src/metrics.py.",
        epilog="example: python3 scripts/make_metrics_golden.py --asot-src /tmp/action_seg_ot/src")
    ap.add_argument("--asot-src", required=True,
                    help="path to the src/ folder of a scratch copy of github.com/mingu6/action_seg_ot")
    ap.add_argument("--asot-git-dir", default=None,
                    help="git dir of the clone (default: the .git folder beside --asot-src or --clot-src), to record its commit id")
    ap.add_argument("--out", default="fixtures/golden/metrics.json")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.asot_src, "metrics.py")):
        ap.error(f"--asot-src {args.asot_src!r} has no metrics.py")
    sys.path.insert(0, os.path.abspath(args.asot_src))
    global np
    import numpy as np
    import torch
    from metrics import eval_mof, eval_f1, eval_miou, indep_eval_metrics
    git_dir = args.asot_git_dir or os.path.join(os.path.abspath(args.asot_src), os.pardir, ".git")
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"

    cases = hand_cases()
    gen = np.random.RandomState(2024)  # input generation only (metric seeds are per case)
    for i, (seed, ex) in enumerate([(0, None), (1, None), (7, None), (0, None), (1, -1), (7, -1), (0, -1)]):
        cases.append(random_case(f"random_multi_{i}", gen, seed, exclude=ex))
    cases.append(random_case("random_single_video", gen, 1, n_vid=1))

    out = [evaluate(c, (eval_mof, eval_f1, eval_miou, indep_eval_metrics), torch) for c in cases]
    types = {str(c["activity"].pop("_types")) for c in out}
    doc = {"source": f"mingu6/action_seg_ot@{commit} src/metrics.py (eval_mof, eval_f1, eval_miou, "
                     f"indep_eval_metrics); numpy {np.__version__}, torch {torch.__version__}",
           "cases": out}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f)
    print(f"wrote {args.out}: {len(out)} cases; activity-level result types: {types}")
    for c in out:
        a, v = c["activity"], c["video"]
        print(f"  {c['name']:32s} ex={str(c['exclude']):5s} act mof={a['mof']:.4f} f1={a['f1']:.4f} "
              f"miou={a['miou']:.4f} | vid mof={v['mof']:.4f} f1={v['f1']:.4f} miou={v['miou']:.4f}")


if __name__ == "__main__":
    main()
