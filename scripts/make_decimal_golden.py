#!/usr/bin/env python3
"""Golden fixture: what glibc strtod and numpy.loadtxt read from hostile decimal strings.

Makes:   fixtures/golden/decimal_parsing.json
From:    glibc's strtod (through ctypes) and numpy.loadtxt (whatever numpy is installed; its
         version is written into the "source" field). No official CLOT/ASOT code is involved.
Purpose: the features loader (Sources/CLOTCore/Data/DecimalParsing.swift and
         FeatureTextParser.swift) must give, for every field, the same Double as a correctly
         rounded parse. Tests/Numerics/DecimalParsingTests.swift reads every string of this
         corpus and compares the bits with both answers recorded here; it also writes the
         finite ones into a features file, loads it, and compares with numpy.loadtxt.

Regenerate (from the repo root):
    python3 scripts/make_decimal_golden.py --out fixtures/golden/decimal_parsing.json

The corpus (seeded, so the same file every time), 2651 strings:
  - the official features format, numpy.savetxt's '%.18e', of random doubles of every
    exponent (subnormals included) and of feature-like values;
  - shortest round-trip forms (Python repr) and 17-digit forms;
  - long mantissas: 20 to 60 significant digits, and exact halfway points between adjacent
    doubles (eight of them up to 770 digits, the others up to 120 characters), each also
    nudged just below and just above, and cut to 19, 20 and 25 digits;
  - halfway points short enough for the fast paths (at most 19 digits, with trailing zeros
    and exponents);
  - the boundaries: 4.9e-324, 2.4703282292062327e-324 (just under half the smallest
    subnormal), 2.2250738585072011e-308 (the largest subnormal's neighbourhood),
    2.2250738585072014e-308, 1.7976931348623157e308, 1.7976931348623158e308 and
    1.7976931348623159e308 (overflow), 1e-320, -0, 0e999, 1e-400, 1e400;
  - spellings: leading '+', '.5', '5.', 'e'/'E', exponent signs and leading zeros,
    leading zeros in the mantissa;
  - overflow to infinity (1e309, -1e400), which strtod and numpy read as infinities and the
    features loader rejects, as it rejects 'inf' and 'nan'.
Each entry is [text, strtod bits, numpy.loadtxt bits], bits as 16 hex digits (numpy reads
the whole corpus in one loadtxt call, one string a line). Before writing, the script checks that strtod consumed every string
whole and agrees with Python's own correctly rounded float() on every one.
"""
import argparse
import ctypes
import io
import json
import random
import struct
from decimal import Decimal, getcontext

import numpy as np

getcontext().prec = 2000

libc = ctypes.CDLL("libc.so.6")
libc.strtod.restype = ctypes.c_double
libc.strtod.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]


def bits(x):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def strtod(text):
    """strtod's Double, asserting it read the whole string."""
    raw = text.encode()
    buffer = ctypes.create_string_buffer(raw)
    end = ctypes.c_char_p()
    value = libc.strtod(buffer, ctypes.byref(end))
    consumed = ctypes.cast(end, ctypes.c_void_p).value - ctypes.addressof(buffer)
    assert consumed == len(raw), (text, consumed)
    return value


def exact_decimal(x):
    """The exact decimal value of a double."""
    return Decimal(x)


def sci(d, digits):
    """Decimal d (nonzero) as 'D.DDD…e±X' with its first `digits` significant digits (cut, not
    rounded)."""
    sign = "-" if d.is_signed() else ""
    t = d.as_tuple()
    ds = str(int("".join(map(str, t.digits))))
    exponent = len(ds) - 1 + t.exponent
    ds = ds[:digits]
    mantissa = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
    return "%s%se%d" % (sign, mantissa, exponent)


def plain_exact(d):
    """Every significant digit of a Decimal, as 'D.DDD…e±X'."""
    return sci(d, 10**6)


def corpus(rng):
    out = []
    # The official format of random doubles of every exponent, subnormals included.
    for _ in range(500):
        x = from_bits(rng.getrandbits(64))
        if x != x or x in (float("inf"), float("-inf")):
            continue
        out.append("%.18e" % x)
    for _ in range(200):
        x = from_bits(rng.getrandbits(52))  # positive subnormals
        out.append("%.18e" % x)
    # Feature-like values in the official format.
    for _ in range(500):
        x = rng.gauss(0, 1) * 10 ** rng.randint(-6, 3)
        out.append("%.18e" % x)
    # Shortest round-trip and 17-digit forms.
    for _ in range(200):
        x = from_bits(rng.getrandbits(63))
        if x != x or x == float("inf"):
            continue
        out.append(repr(x))
        out.append("%.16e" % x)
    # Long mantissas: 20 to 60 random digits, exponent anywhere.
    for _ in range(200):
        n = rng.randint(20, 60)
        digits = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))
        point = rng.randint(1, n)
        out.append("%s%s.%se%d" % (rng.choice(["", "-"]), digits[:point], digits[point:], rng.randint(-340, 300)))
    # Exact halfway points between adjacent doubles, nudged and cut.
    long_ones = 0
    for _ in range(120):
        if rng.random() < 0.3:
            x = from_bits(rng.getrandbits(52))  # subnormal
        else:
            x = from_bits(rng.randint(1, 0x7FEFFFFFFFFFFFFF))
        up = np.nextafter(x, np.inf)
        mid = (exact_decimal(x) + exact_decimal(float(up))) / 2
        text = plain_exact(mid)
        # Exact expansions run to 770 digits; a few long ones, the rest up to 120 characters.
        if len(text) <= 120 or (len(text) <= 800 and long_ones < 8):
            long_ones += len(text) > 120
            out.append(text)
            ulp = Decimal(10) ** (mid.adjusted() - 120)
            out.append(plain_exact(mid - ulp))
            out.append(plain_exact(mid + ulp))
        for digits in (19, 20, 25):
            out.append(sci(mid, digits))
    # Halfway points with at most 19 digits: (2m + 1) · 2^(k−1) for small k, written as
    # integers with trailing zeros and negative exponents, and (2m+1)·5^j · 10^-j.
    for _ in range(150):
        m = rng.randint(1 << 52, (1 << 53) - 1)
        k = rng.randint(0, 8)
        half = (2 * m + 1) * 2**k
        zeros = rng.randint(0, 19 - len(str(half))) if len(str(half)) < 19 else 0
        out.append("%d%se-%d" % (half, "0" * zeros, zeros))
        out.append("%d" % half)
        j = rng.randint(1, 3)
        out.append("%de-%d" % ((2 * m + 1) * 5**j, j))
    # Boundaries.
    out += [
        "4.9e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
        "2.225073858507201136057409796709131975934819546351645648e-308",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "1e-320", "-1e-320", "1e-323", "1e-324", "1e-400", "-1e-400", "0e999", "-0e-999",
        "-0", "0", "+0", "-0.0", "0.000", "1e400", "-1e400", "1e309", "1e308",
        "9007199254740993", "9007199254740992", "9007199254740994", "9007199254740995",
        "9223372036854775807", "9223372036854775808", "18446744073709551615",
        "18446744073709551616", "9999999999999999999", "10000000000000000000",
        "1e22", "1e23", "9007199254740993e22", "123456789012345678e-360",
        "7.2057594037927933e16", "4.35416667e-1", "0.1", "0.2", "0.3", "3.0e-1",
    ]
    # Spellings.
    out += [
        "+1", "+.5", ".5", "-.5", "5.", "-5.", "+5.", "1e5", "1E5", "1e+5", "1e-5", "1E-05",
        "1e0005", "1.e1", ".1e1", "0001.5", "-0001.5e-0", "00000000000000000000001",
        "0.00000000000000000000000000000000000000001", "1" + "0" * 25, "1" + "0" * 25 + ".0e-25",
        "12345678901234567890e-20", "1234567890123456789e-19", "0.1234567890123456789",
    ]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(16)
    texts = list(dict.fromkeys(corpus(rng)))
    entries = []
    for text in texts:
        value = strtod(text)
        assert bits(value) == bits(float(text)), (text, value, float(text))
        entries.append([text, bits(value)])
    # numpy.loadtxt on the whole corpus at once, one string a line.
    loaded = np.loadtxt(io.StringIO("\n".join(texts) + "\n"), dtype=np.float64, ndmin=1)
    assert len(loaded) == len(texts)
    for entry, value in zip(entries, loaded):
        entry.append(bits(float(value)))
    disagreements = sum(1 for e in entries if e[1] != e[2])
    document = {
        "source": "glibc strtod via ctypes; numpy %s numpy.loadtxt; scripts/make_decimal_golden.py" % np.__version__,
        "columns": ["text", "strtod bits (hex)", "numpy.loadtxt bits (hex)"],
        "strtod_numpy_disagreements": disagreements,
        "cases": entries,
    }
    # One case a line, so that a diff shows which strings changed.
    with open(args.out, "w") as f:
        head = json.dumps({k: v for k, v in document.items() if k != "cases"}, indent=1)[:-2]
        f.write(head + ',\n "cases": [\n')
        f.write(",\n".join(json.dumps(e, separators=(",", ":")) for e in entries))
        f.write("\n ]\n}\n")
    print("wrote %d cases to %s (strtod and numpy disagree on %d)" % (len(entries), args.out, disagreements))


if __name__ == "__main__":
    main()
