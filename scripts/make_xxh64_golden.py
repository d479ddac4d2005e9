#!/usr/bin/env python3
"""XXH64 (seed 0) of the test inputs of Tests/Numerics/ContentHashTests.swift, from the system's
libxxhash (Debian package libxxhash0), an implementation independent of this project's.

    python3 scripts/make_xxh64_golden.py

prints one line per input: its name, its length and the hash; the test holds these numbers.
"""
import ctypes

lib = ctypes.CDLL("libxxhash.so.0")
lib.XXH64.restype = ctypes.c_uint64
lib.XXH64.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]

inputs = {
    "empty": b"",
    "abc": b"abc",
    "clot": b"clot",
    "bytes 0-255 three times, then xyz": bytes(range(256)) * 3 + b"xyz",
}
for name, data in inputs.items():
    print(f"{name}\t{len(data)}\t{lib.XXH64(data, len(data), 0):016x}")
