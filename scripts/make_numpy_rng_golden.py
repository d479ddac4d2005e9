#!/usr/bin/env python3
"""Golden fixture: NumPy legacy RandomState (MT19937) outputs.

Makes:   fixtures/golden/numpy_mt19937.json
From:    numpy's legacy ``np.random.RandomState`` (whatever numpy is installed;
         the version is written into the "source" field). No official CLOT/ASOT
         code is needed for this fixture.
Purpose: lets the Swift port of the legacy generator be checked bit-for-bit
         (ASOT's eval_f1 uses np.random.random_integers, and the ASOT training
         data loader samples frames with np.random.randint(low=..., high=...)).

Regenerate (from the repo root):
    python3 scripts/make_numpy_rng_golden.py --out fixtures/golden/numpy_mt19937.json

Raw 32-bit outputs ("uint32" op):
    ``rs.randint(0, 2**32, size=8, dtype=np.uint64)``. This script checks, before
    writing anything, that this call consumes exactly one 32-bit MT19937 output per
    value and returns it unchanged: it compares the values against
    ``RandomState(S)._bit_generator.random_raw(8)`` (the raw 32-bit words) and
    against ``rs.randint(0, 2**32, dtype=np.uint32)``, checks that the MT19937
    state position advanced by exactly 8, and also against an independent
    pure-Python MT19937 (init_genrand + genrand_int32, Matsumoto & Nishimura
    reference algorithm) written below. It aborts if any of these disagree.

For every seed the ops run IN ORDER on the same RandomState instance:
    uint32 (8), random_sample(5), random_integers(lo, up, 15) for 8 (lo, up)
    pairs, randn(7) (odd: the polar method caches its second value),
    random_sample(3), randint(low=b[:-1], high=b[1:]) with
    b = np.linspace(0, N-1, 257).astype(int) for N = 917 then N = 300,
    permutation(10).
"""
import argparse
import json
import os
import sys
import warnings

import numpy as np

SEEDS = [0, 1, 42, 12345, 4294967295]
RI_PAIRS = [(0, 0), (3, 9), (0, 1), (10, 250), (5, 6), (0, 1000000), (7, 7), (100, 163)]


def _py_mt19937(seed, n):
    """Independent reference MT19937 (init_genrand seeding), first n uint32 outputs."""
    mt = [0] * 624
    mt[0] = seed & 0xFFFFFFFF
    for i in range(1, 624):
        mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & 0xFFFFFFFF
    out = []
    idx = 624
    for _ in range(n):
        if idx >= 624:
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            idx = 0
        y = mt[idx]
        idx += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        out.append(y)
    return out


def check_uint32_call(seed):
    a = np.random.RandomState(seed)
    raw = a._bit_generator.random_raw(8)
    b = np.random.RandomState(seed)
    v = b.randint(0, 2**32, size=8, dtype=np.uint64)
    c = np.random.RandomState(seed)
    w = c.randint(0, 2**32, size=8, dtype=np.uint32)
    ref = np.array(_py_mt19937(seed, 8), dtype=np.uint64)
    ok = (np.array_equal(raw.astype(np.uint64), v) and np.array_equal(v, w.astype(np.uint64))
          and np.array_equal(v, ref)
          and b._bit_generator.state["state"]["pos"] == 8
          and a._bit_generator.state["state"]["pos"] == 8)
    if not ok:
        sys.exit(f"seed {seed}: randint(0, 2**32, dtype=uint64) is NOT the raw MT19937 stream; "
                 f"raw={raw} uint64={v} uint32={w} ref={ref}")


def run_seed(seed):
    rs = np.random.RandomState(seed)
    ops = []
    v = rs.randint(0, 2**32, size=8, dtype=np.uint64)
    ops.append({"op": "uint32", "n": 8, "values": [int(x) for x in v]})
    ops.append({"op": "random_sample", "n": 5, "values": [float(x) for x in rs.random_sample(5)]})
    for lo, up in RI_PAIRS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            vals = rs.random_integers(lo, up, 15)
        ops.append({"op": "random_integers", "lo": lo, "up": up, "n": 15,
                    "values": [int(x) for x in vals]})
    ops.append({"op": "randn", "n": 7, "values": [float(x) for x in rs.randn(7)]})
    ops.append({"op": "random_sample", "n": 3, "values": [float(x) for x in rs.random_sample(3)]})
    for N in (917, 300):
        b = np.linspace(0, N - 1, 257).astype(int)
        vals = rs.randint(low=b[:-1], high=b[1:])
        ops.append({"op": "randint_intervals", "N": N, "low": [int(x) for x in b[:-1]],
                    "high": [int(x) for x in b[1:]], "values": [int(x) for x in vals]})
    ops.append({"op": "permutation", "n": 10, "values": [int(x) for x in rs.permutation(10)]})
    return {"seed": seed, "ops": ops}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="fixtures/golden/numpy_mt19937.json", help="output JSON path")
    args = ap.parse_args()
    for s in SEEDS:
        check_uint32_call(s)
    doc = {"source": f"numpy {np.__version__} legacy RandomState; uint32 op = "
                     f"RandomState.randint(0, 2**32, size=n, dtype=np.uint64) (verified == raw MT19937 words)",
           "cases": [run_seed(s) for s in SEEDS]}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
