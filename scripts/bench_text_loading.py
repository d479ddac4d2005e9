#!/usr/bin/env python3
"""Benchmark: `clot train` on text features against the same run on .npy, and numpy.loadtxt.

Not a fixture maker: it times the features loader (Sources/CLOTCore/Data/FeatureTextParser.swift)
end to end, on synthetic data it generates in the official text format. Nothing it writes
belongs in the repository; give it a scratch folder.

  generate  writes ROOT/text/<Dataset>/... (features as numpy.savetxt's default '%.18e', one
            frame a line, space-separated, as the official feature files) and ROOT/npy/<Dataset>/...
            (the same float64 values as .npy), with ground truth and mapping, in the standard
            layout. Video lengths are log-normal (sigma 0.5), scaled to the total frame count.
  run       alternates, round after round (the order rotated each round, so a slow spell of a
            shared machine reaches every column alike):
              - `clot train --method M --epochs 0` on ROOT/text,
              - the same on ROOT/npy,
              - numpy.loadtxt reading every text features file (timed inside its process,
                after imports),
            each under /usr/bin/time -v for its peak RSS; reports medians, the two ratios the
            issue sets targets for (text/npy <= 1.6; text < numpy.loadtxt / 2), and checks that
            the text and .npy runs wrote identical predictions.

Breakfast-like activity (the issue's measurement: 40 videos, ~94k frames, 64 columns, ~147 MB):
    python3 scripts/bench_text_loading.py generate --out /tmp/bench --videos 40 --frames 94000
    swift build -c release --product clot
    python3 scripts/bench_text_loading.py run --data /tmp/bench --clot .build/release/clot --rounds 5
YTI's width (3000 columns):
    python3 scripts/bench_text_loading.py generate --out /tmp/yti --dataset YTI --activity changing_tire \\
        --videos 6 --frames 6000 --columns 3000
    python3 scripts/bench_text_loading.py run --data /tmp/yti --dataset YTI --activity changing_tire \\
        --clot .build/release/clot --rounds 3
"""
import argparse
import filecmp
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

BREAKFAST_COFFEE = ["SIL", "take_cup", "pour_coffee", "pour_milk", "pour_sugar", "spoon_sugar", "stir_coffee"]
YTI_CHANGING_TIRE = ["background", "unscrew_wheel", "jack_up", "withdraw_wheel", "put_wheel", "screw_wheel",
                     "jack_down", "put_jack", "take_jack", "tight_wheel", "loosen_wheel"]


def video_name(dataset, activity, index):
    if dataset == "YTI":
        return "%s_%04d" % (activity, index + 1)
    return "P%02d_cam01_P%02d_%s" % (index + 3, index + 3, activity)


def generate(args):
    rng = np.random.default_rng(args.seed)
    classes = YTI_CHANGING_TIRE if args.dataset == "YTI" else BREAKFAST_COFFEE
    ids = [-1] + list(range(1, len(classes))) if args.dataset == "YTI" else list(range(len(classes)))
    lengths = rng.lognormal(0.0, 0.5, args.videos)
    lengths = np.maximum(50, np.round(lengths / lengths.sum() * args.frames)).astype(int)
    prototypes = rng.normal(0, 1, (len(classes), args.columns))
    for kind in ("text", "npy"):
        base = os.path.join(args.out, kind, args.dataset)
        os.makedirs(os.path.join(base, "features", args.activity), exist_ok=True)
        os.makedirs(os.path.join(base, "groundTruth"), exist_ok=True)
        os.makedirs(os.path.join(base, "mapping"), exist_ok=True)
        with open(os.path.join(base, "mapping", "mapping.txt"), "w") as f:
            f.write("".join("%d %s\n" % (i, c) for i, c in zip(ids, classes)))
    total_bytes = 0
    for v, n in enumerate(lengths):
        name = video_name(args.dataset, args.activity, v)
        # Ordered segments of random lengths over the activity's classes.
        cuts = np.sort(rng.choice(np.arange(1, n), size=min(len(classes) - 1, n - 1), replace=False))
        labels = np.zeros(n, dtype=int)
        for c, (a, b) in enumerate(zip([0] + list(cuts), list(cuts) + [n])):
            labels[a:b] = c
        features = prototypes[labels] * 0.3 + rng.normal(0, 0.1, (n, args.columns))
        gt = "".join(classes[c] + "\n" for c in labels)
        for kind in ("text", "npy"):
            base = os.path.join(args.out, kind, args.dataset)
            with open(os.path.join(base, "groundTruth", name), "w") as f:
                f.write(gt)
        text_path = os.path.join(args.out, "text", args.dataset, "features", args.activity, name + ".txt")
        np.savetxt(text_path, features)  # numpy's default: '%.18e', ' ', '\n'
        np.save(os.path.join(args.out, "npy", args.dataset, "features", args.activity, name + ".npy"), features)
        total_bytes += os.path.getsize(text_path)
    print("wrote %d videos, %d frames x %d columns, %.1f MB of text under %s"
          % (args.videos, lengths.sum(), args.columns, total_bytes / 1e6, args.out))


def timed(command, env=None):
    """Runs a command under /usr/bin/time -v; (wall seconds, CPU seconds, peak RSS in MB, stdout)."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit("failed: %s\n%s\n%s" % (" ".join(command), done.stdout[-2000:], done.stderr[-2000:]))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024
    cpu = sum(float(re.search(r"%s time \(seconds\): ([0-9.]+)" % kind, done.stderr).group(1)) for kind in ("User", "System"))
    return wall, cpu, rss, done.stdout


LOADTXT = """
import glob, sys, time, numpy as np
files = sorted(glob.glob(sys.argv[1] + '/*.txt'))
start = time.perf_counter()
for f in files:
    np.loadtxt(f)
print('seconds', time.perf_counter() - start)
"""


def run(args):
    scratch = os.path.join(args.data, "runs")
    features = os.path.join(args.data, "text", args.dataset, "features", args.activity)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")

    def clot(kind, round_index):
        out = os.path.join(scratch, "%s-%d" % (kind, round_index))
        command = [args.clot, "train", "--data", os.path.join(args.data, kind), "--dataset", args.dataset,
                   "--activity", args.activity, "--method", args.method, "--epochs", "0", "--output", out]
        wall, cpu, rss, _ = timed(command, env)
        return wall, cpu, rss, out

    def loadtxt(round_index):
        # The time loadtxt takes, measured inside its process (imports excluded); its CPU time
        # is the process's less that of a run that only imports numpy.
        wall, cpu, rss, stdout = timed([sys.executable, "-c", LOADTXT, features], env)
        _, import_cpu, _, _ = timed([sys.executable, "-c", "import glob, sys, time, numpy"], env)
        return float(stdout.split()[-1]), cpu - import_cpu, rss, None

    jobs = [("text", lambda r: clot("text", r)), ("npy", lambda r: clot("npy", r)), ("numpy.loadtxt", loadtxt)]
    results = {name: [] for name, _ in jobs}
    outputs = {"text": [], "npy": []}
    for r in range(args.rounds):
        order = jobs[r % len(jobs):] + jobs[:r % len(jobs)]
        for name, job in order:
            seconds, cpu, rss, out = job(r)
            results[name].append((seconds, cpu, rss))
            if out:
                outputs[name].append(out)
            print("round %d  %-14s %7.3f s wall  %7.3f s CPU  %7.1f MB" % (r + 1, name, seconds, cpu, rss), flush=True)

    median = {name: statistics.median(v[0] for v in values) for name, values in results.items()}
    cpu = {name: statistics.median(v[1] for v in values) for name, values in results.items()}
    peak = {name: statistics.median(v[2] for v in values) for name, values in results.items()}
    print("\nmedians over %d rounds (%s):" % (args.rounds, args.data))
    for name in results:
        print("  %-40s %7.3f s wall  %7.3f s CPU  peak RSS %7.1f MB" % (
            {"text": "clot train --epochs 0, text features", "npy": "clot train --epochs 0, .npy features",
             "numpy.loadtxt": "numpy.loadtxt, reading the text files"}[name], median[name], cpu[name], peak[name]))
    print("  text / npy            = %.2f wall, %.2f CPU   (target <= 1.6)" % (
        median["text"] / median["npy"], cpu["text"] / cpu["npy"]))
    print("  text / numpy.loadtxt  = %.2f wall, %.2f CPU   (target < 0.5)" % (
        median["text"] / median["numpy.loadtxt"], cpu["text"] / cpu["numpy.loadtxt"]))

    # Identical predictions from text and .npy.
    same = True
    for text_out, npy_out in zip(outputs["text"], outputs["npy"]):
        names = sorted(os.listdir(os.path.join(text_out, "predictions")))
        match, mismatch, errors = filecmp.cmpfiles(os.path.join(text_out, "predictions"),
                                                   os.path.join(npy_out, "predictions"), names, shallow=False)
        same = same and not mismatch and not errors and len(match) == len(names) > 0
    print("  predictions from text and .npy identical: %s" % ("yes" if same else "NO"))
    if not same:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--out", required=True)
    g.add_argument("--dataset", default="Breakfast")
    g.add_argument("--activity", default="coffee")
    g.add_argument("--videos", type=int, default=40)
    g.add_argument("--frames", type=int, default=94000)
    g.add_argument("--columns", type=int, default=64)
    g.add_argument("--seed", type=int, default=16)
    r = sub.add_parser("run")
    r.add_argument("--data", required=True)
    r.add_argument("--clot", required=True)
    r.add_argument("--dataset", default="Breakfast")
    r.add_argument("--activity", default="coffee")
    r.add_argument("--method", default="asot")
    r.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    generate(args) if args.command == "generate" else run(args)


if __name__ == "__main__":
    main()
