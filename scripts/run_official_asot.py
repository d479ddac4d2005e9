#!/usr/bin/env python3
"""Reference numbers: the OFFICIAL ASOT training pipeline on the five real Breakfast "coffee" videos, on CPU.

Makes:   fixtures/golden/official_asot_coffee.json (or --out PATH), and prints a table.
What:    runs the official training script (github.com/mingu6/action_seg_ot, src/train.py) once per seed
         as a subprocess, with exactly the Breakfast settings of the official run_bf.sh for coffee
         (7 clusters), minus the GPU/wandb/visualisation flags (-g, --wandb, -v, --group):
             train.py -p DATA -d Breakfast -ac coffee -c 7 -ne 15 --seed S -s --rho 0.2 -lat 0.1
                      -r 0.04 -ae 0.7 -at 0.4 -lr 1e-3 -wd 1e-4 -vf 5 -ua
         and the same command with --eval (no training: MLP at its random init, clusters from k-means,
         then the test pass) for each seed. Runs are sequential. From each run it takes the test metrics
         Lightning logs (test_{mof,f1,miou}_full: all videos pooled, one Hungarian matching for the
         activity; test_{mof,f1,miou}_per: each video matched on its own, averaged over videos), as
         fractions in [0, 1], and the wall-clock time of the whole process (plus the k-means / training /
         test parts that the patched train.py reports).

The official code is NOT in this repository. To regenerate, make a scratch copy and apply, by hand, the
small CPU changes described in scripts/official_asot_cpu_changes.md (data root from --base-path,
accelerator='cpu', inference_mode=False, 2 torch threads, a divide-by-zero guard, and one printed
ASOT_CPU_RESULT line that this script parses):

    git clone https://github.com/mingu6/action_seg_ot /tmp/asot_cpu
    git -C /tmp/asot_cpu checkout 0c4c86b1037eb4c3e262197aeee115b31e220c9d
    # ... apply the changes in scripts/official_asot_cpu_changes.md to /tmp/asot_cpu/src/train.py
    pip install torch torchmetrics scikit-learn scipy matplotlib pytorch-lightning wandb
    python3 scripts/run_official_asot.py --asot-src /tmp/asot_cpu/src \
        --data ../shared/data --seeds 0,1,2,3,4 --out fixtures/golden/official_asot_coffee.json

wandb is never enabled (no --wandb flag; WANDB_MODE=disabled is set for the subprocess). Each run gets a
fresh temporary working directory (Lightning's default CSV logger and checkpoints go there and are deleted).
Wall-clock times depend on the machine and its load; the metrics depend only on the seed and the
software versions (recorded in "source").
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

OFFICIAL_REPO = "mingu6/action_seg_ot"
OFFICIAL_COMMIT = "0c4c86b1037eb4c3e262197aeee115b31e220c9d"  # the commit the fixture was made from
SETTINGS = ["-d", "Breakfast", "-ac", "coffee", "-c", "7", "-ne", "15", "-s", "--rho", "0.2", "-lat", "0.1",
            "-r", "0.04", "-ae", "0.7", "-at", "0.4", "-lr", "1e-3", "-wd", "1e-4", "-vf", "5", "-ua"]
METRICS = ("mof", "f1", "miou")
RESULT_TAG = "ASOT_CPU_RESULT "
TABLE_ROW = re.compile(r"^\s*(test_(?:mof|f1|miou)_(?:full|per))\s+([0-9.eE+-]+)\s*$")


def versions(python):
    code = ("import json, torch, pytorch_lightning, torchmetrics, sklearn, numpy, scipy;"
            "print(json.dumps({'torch': torch.__version__, 'lightning': pytorch_lightning.__version__,"
            "'torchmetrics': torchmetrics.__version__, 'sklearn': sklearn.__version__,"
            "'numpy': numpy.__version__, 'scipy': scipy.__version__}))")
    out = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def run_one(python, train_py, data, seed, eval_only, log_dir):
    cmd = [python, train_py, "-p", data] + SETTINGS[:8] + ["--seed", str(seed)] + SETTINGS[8:]
    if eval_only:
        cmd.append("--eval")
    env = dict(os.environ, WANDB_MODE="disabled", PYTHONUNBUFFERED="1")
    work = tempfile.mkdtemp(prefix="asot_official_")
    try:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log = proc.stdout + "\n" + proc.stderr
    if log_dir:
        os.makedirs(log_dir, exist_ok=True)
        name = f"seed{seed}{'_eval' if eval_only else ''}.log"
        with open(os.path.join(log_dir, name), "w") as f:
            f.write(" ".join(cmd) + "\n\n" + log)
    if proc.returncode != 0:
        sys.stderr.write(log[-4000:])
        raise SystemExit(f"train.py failed (rc={proc.returncode}) for seed {seed} eval_only={eval_only}")
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            result = json.loads(line[len(RESULT_TAG):])
    if result is None:
        raise SystemExit(f"no '{RESULT_TAG.strip()}' line in the output of seed {seed}: is the scratch "
                         "train.py patched as scripts/official_asot_cpu_changes.md says?")
    test = result["test"]
    # Cross-check against the metric table Lightning prints at the end of trainer.test.
    table = {}
    for line in log.splitlines():
        m = TABLE_ROW.match(line)
        if m:
            table[m.group(1)] = float(m.group(2))
    for k, v in table.items():
        if abs(test[k] - v) > 1e-6:
            raise SystemExit(f"printed table and returned metrics disagree for {k}: {v} vs {test[k]}")
    return {
        "seed": seed,
        "eval_only": eval_only,
        "activity": {m: test[f"test_{m}_full"] for m in METRICS},
        "video": {m: test[f"test_{m}_per"] for m in METRICS},
        "wall_seconds": wall,
        "kmeans_seconds": result["kmeans_seconds"],
        "train_seconds": result["train_seconds"],
        "test_seconds": result["test_seconds"],
    }


def summarize(runs):
    out = {"n": len(runs)}
    for level in ("activity", "video"):
        out[level] = {}
        for m in METRICS:
            vals = [r[level][m] for r in runs]
            out[level][m] = {"mean": statistics.fmean(vals),
                             "std": statistics.stdev(vals) if len(vals) > 1 else 0.0}
    for key in ("wall_seconds", "train_seconds"):
        vals = [r[key] for r in runs]
        out[key] = {"mean": statistics.fmean(vals), "std": statistics.stdev(vals) if len(vals) > 1 else 0.0}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--asot-src", required=True, help="the PATCHED scratch copy's src/ folder (holds train.py)")
    ap.add_argument("--data", required=True, help="data root holding Breakfast/ (train.py --base-path)")
    ap.add_argument("--seeds", default="0,1,2,3,4", help="comma-separated seeds (default 0,1,2,3,4)")
    ap.add_argument("--out", default="fixtures/golden/official_asot_coffee.json")
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs train.py")
    ap.add_argument("--commit", default=OFFICIAL_COMMIT, help="official commit the scratch copy came from")
    ap.add_argument("--log-dir", default=None, help="optional folder for the full stdout/stderr of each run")
    args = ap.parse_args()

    train_py = os.path.join(os.path.abspath(args.asot_src), "train.py")
    with open(train_py) as f:
        if RESULT_TAG.strip() not in f.read():
            raise SystemExit(f"{train_py} is not patched (no {RESULT_TAG.strip()} line); "
                             "see scripts/official_asot_cpu_changes.md")
    data = os.path.abspath(args.data)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    ver = versions(args.python)

    runs = []
    for eval_only in (False, True):
        for seed in seeds:
            r = run_one(args.python, train_py, data, seed, eval_only, args.log_dir)
            runs.append(r)
            print(f"seed {seed} {'eval ' if eval_only else 'train'}  "
                  f"act mof {r['activity']['mof']:.4f} f1 {r['activity']['f1']:.4f} miou {r['activity']['miou']:.4f}  "
                  f"vid mof {r['video']['mof']:.4f} f1 {r['video']['f1']:.4f} miou {r['video']['miou']:.4f}  "
                  f"wall {r['wall_seconds']:.1f}s train {r['train_seconds']:.1f}s", flush=True)

    fixture = {
        "source": (f"{OFFICIAL_REPO}@{args.commit} src/train.py, CPU, torch {ver['torch']}, "
                   f"lightning {ver['lightning']}, 2 threads"),
        "settings": ("python3 src/train.py -p <data root> " + " ".join(SETTINGS[:8]) + " --seed <seed> "
                     + " ".join(SETTINGS[8:]) + " [--eval]"),
        "versions": ver,
        "host": {"cpu": cpu_model(), "nproc": os.cpu_count()},
        "data": "Breakfast coffee sample: P03_cam01, P05_cam01, P06_cam01, P08_webcam01, P09_cam01 (shared/data)",
        "notes": ("metrics are fractions in [0,1] as Lightning logs them (float32). activity = test_*_full "
                  "(all 5 videos pooled, one Hungarian matching); video = test_*_per (per-video matching, "
                  "mean over videos). eval_only = --eval (no training; random-init MLP + k-means clusters). "
                  "wall_seconds = whole subprocess; train_seconds = trainer.validate + trainer.fit (0 for "
                  "eval_only); kmeans_seconds = fit_clusters; test_seconds = trainer.test. std = sample std "
                  "(n-1). Times were taken on a shared 2-core machine and are load-dependent."),
        "runs": runs,
        "summary": {
            "trained": summarize([r for r in runs if not r["eval_only"]]),
            "eval_only": summarize([r for r in runs if r["eval_only"]]),
        },
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    for name, s in fixture["summary"].items():
        print(f"{name:9s} " + "  ".join(
            f"{lvl[:3]} {m} {s[lvl][m]['mean']:.4f}±{s[lvl][m]['std']:.4f}"
            for lvl in ("activity", "video") for m in METRICS) + f"  wall {s['wall_seconds']['mean']:.1f}s")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
