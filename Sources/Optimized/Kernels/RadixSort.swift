extension Optimized {
    /// Sorts `n` Floats in place, ascending (no NaNs). Up to 32 values: insertion sort. Above:
    /// LSD radix sort, four 8-bit passes on the order-preserving key of each value's bit pattern
    /// (sign bit set for non-negative values, all bits flipped for negative ones), the four
    /// digit histograms counted in one pass, and passes whose digit is the same for all values
    /// skipped. `keys` holds 2n words of scratch, `counts` 4 × 256.
    ///
    /// Postconditions: v[0..<n] is ascending and holds the same values, bit for bit (the key
    /// map is a bijection, so −0 and +0 keep their signs and land −0 first).
    ///
    /// Edge Cases: n ≤ 1 leaves v as it is. A NaN breaks the order (callers send no NaNs).
    /// - Complexity: O(n) for n > 32.
    static func radixSort(_ v: UnsafeMutablePointer<Float>, count n: Int, keys: UnsafeMutablePointer<UInt32>,
                          counts: UnsafeMutablePointer<Int>) {
        if n <= 32 {
            for i in 1..<max(n, 1) {
                let value = v[i]
                var j = i
                while j > 0 && v[j - 1] > value {
                    v[j] = v[j - 1]
                    j -= 1
                }
                v[j] = value
            }
            return
        }
        var source = keys, target = keys + n
        for b in 0..<1024 { counts[b] = 0 }
        for i in 0..<n {
            let bits = v[i].bitPattern
            let key = bits & 0x8000_0000 == 0 ? bits | 0x8000_0000 : ~bits
            source[i] = key
            counts[Int(key & 0xFF)] += 1
            counts[256 + Int((key >> 8) & 0xFF)] += 1
            counts[512 + Int((key >> 16) & 0xFF)] += 1
            counts[768 + Int(key >> 24)] += 1
        }
        for pass in 0..<4 {
            let shift = UInt32(8 * pass), histogram = counts + 256 * pass
            if histogram[Int((source[0] >> shift) & 0xFF)] == n { continue }   // one digit for all: nothing moves
            var total = 0
            for b in 0..<256 {
                let c = histogram[b]
                histogram[b] = total
                total += c
            }
            for i in 0..<n {
                let key = source[i], b = Int((key >> shift) & 0xFF)
                target[histogram[b]] = key
                histogram[b] += 1
            }
            swap(&source, &target)
        }
        for i in 0..<n {
            let key = source[i]
            v[i] = Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
        }
    }
}
