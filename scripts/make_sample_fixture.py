#!/usr/bin/env python3
"""Builds fixtures/sample/: the compact copy of the five real Breakfast "coffee" videos that
the project ships for its demo (the data README allows exactly this one copy).

Features become float32 .npy (the official loader reads .npy when no .txt is present); ground
truth and mapping are copied as they are. It also writes
fixtures/sample/predictions-equal-split/: the classic equal-split baseline (each video cut
into K = 7 equal segments, ids 0..6), a prediction nobody tuned, for `clot evaluate`.

Regenerate with:  python3 scripts/make_sample_fixture.py ../shared/data fixtures/sample
"""
import os
import shutil
import sys

import numpy as np


def main(src_root, dst_root, k=7):
    src = os.path.join(src_root, "Breakfast")
    dst = os.path.join(dst_root, "Breakfast")
    os.makedirs(os.path.join(dst, "features", "coffee"), exist_ok=True)
    os.makedirs(os.path.join(dst, "groundTruth"), exist_ok=True)
    os.makedirs(os.path.join(dst, "mapping"), exist_ok=True)
    preds = os.path.join(dst_root, "predictions-equal-split")
    os.makedirs(preds, exist_ok=True)
    shutil.copyfile(os.path.join(src, "mapping", "mapping.txt"), os.path.join(dst, "mapping", "mapping.txt"))
    for video in sorted(os.listdir(os.path.join(src, "groundTruth"))):
        feats = np.loadtxt(os.path.join(src, "features", "coffee", video + ".txt"))
        np.save(os.path.join(dst, "features", "coffee", video + ".npy"), feats.astype("<f4"))
        shutil.copyfile(os.path.join(src, "groundTruth", video), os.path.join(dst, "groundTruth", video))
        n = feats.shape[0]
        labels = (np.arange(n) * k) // n
        with open(os.path.join(preds, video + ".txt"), "w") as f:
            f.write("".join(f"{x}\n" for x in labels))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_sample_fixture.py SHARED_DATA_ROOT OUTPUT_DIR")
    main(sys.argv[1], sys.argv[2])
