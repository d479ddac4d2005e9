/// The powers of ten 10^q, q = −348 … 347, as 128-bit significands rounded down: for each q,
/// the integer `s` with 2¹²⁷ ≤ s < 2¹²⁸ and s · 2^e ≤ 10^q < (s + 1) · 2^e for some integer e.
/// This is the table the Eisel–Lemire algorithm (`EiselLemire`) multiplies a decimal
/// significand by; the binary exponent e is not stored, the algorithm estimates it from q.
///
/// The table is computed once, exactly, with multi-word integers, instead of being listed as
/// 1392 literals:
/// - q ≥ 0: 10^q is an integer. Multiply by ten word by word; keep the top 128 bits.
/// - q < 0: take Qₙ = ⌊2ᴷ / 10ⁿ⌋ for one fixed K, large enough that even Q₃₄₈ has more than 128
///   significant bits. Qₙ₊₁ = ⌊Qₙ / 10⌋ is exact, since ⌊⌊x / a⌋ / b⌋ = ⌊x / (a·b)⌋ for positive
///   integers, so only division by ten is needed. The top 128 bits of Qₙ, ⌊Qₙ / 2ˢ⌋ =
///   ⌊2ᴷ⁻ˢ / 10ⁿ⌋, are the rounded-down significand of 10⁻ⁿ.
enum PowersOfTen {
    /// The two 64-bit halves of one 128-bit significand.
    struct Significand: Equatable {
        var high: UInt64
        var low: UInt64
    }

    static let smallestExponent = -348
    static let largestExponent = 347

    /// The significand of 10^q sits at index q − `smallestExponent`. Kept in storage that is
    /// never freed, so that a parsing loop can fetch the table once and index it without the
    /// once-check (a call) that every access to a static constant makes. (Written once, by
    /// that initialisation, and only read afterwards: safe to share between threads.)
    nonisolated(unsafe) static let significands: UnsafeBufferPointer<Significand> = {
        let table = computeTable()
        let storage = UnsafeMutableBufferPointer<Significand>.allocate(capacity: table.count)
        _ = storage.initialize(from: table)
        return UnsafeBufferPointer(storage)
    }()

    static func computeTable() -> [Significand] {
        var table = [Significand](repeating: Significand(high: 0, low: 0), count: largestExponent - smallestExponent + 1)
        // q ≥ 0: exact powers of ten. 10^347 < 2^1153 fits in 19 words.
        var power: [UInt64] = [1]
        for q in 0...largestExponent {
            table[q - smallestExponent] = topBits(power)
            multiply(&power, by: 10)
        }
        // q < 0: ⌊2^1344 / 10^n⌋ (21 words); 10^348 < 2^1157 leaves at least 187 bits at n = 348.
        var quotient = [UInt64](repeating: 0, count: 22)
        quotient[21] = 1
        for n in 1...(-smallestExponent) {
            divide(&quotient, by: 10)
            table[-n - smallestExponent] = topBits(quotient)
        }
        return table
    }

    /// The top 128 bits of a little-endian multi-word integer, shifted so that bit 127 is set
    /// (bits below are dropped: rounding down).
    static func topBits(_ words: [UInt64]) -> Significand {
        guard let top = words.lastIndex(where: { $0 != 0 }) else { return Significand(high: 0, low: 0) }
        let bitLength = top * 64 + (64 - words[top].leadingZeroBitCount)
        // Bit i of the result is bit (i + bitLength − 128) of the integer (zero below bit 0).
        func bit(_ i: Int) -> UInt64 {
            let source = i + bitLength - 128
            guard source >= 0 else { return 0 }
            return (words[source / 64] >> UInt64(source % 64)) & 1
        }
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<64 {
            low |= bit(i) << UInt64(i)
            high |= bit(i + 64) << UInt64(i)
        }
        return Significand(high: high, low: low)
    }

    /// words ← words · factor, growing by a word when the product needs one.
    static func multiply(_ words: inout [UInt64], by factor: UInt64) {
        var carry: UInt64 = 0
        for i in words.indices {
            let product = words[i].multipliedFullWidth(by: factor)
            let (sum, overflow) = product.low.addingReportingOverflow(carry)
            words[i] = sum
            carry = product.high + (overflow ? 1 : 0)
        }
        if carry != 0 { words.append(carry) }
    }

    /// words ← ⌊words / divisor⌋, from the most significant word down.
    static func divide(_ words: inout [UInt64], by divisor: UInt64) {
        var remainder: UInt64 = 0
        for i in words.indices.reversed() {
            let (q, r) = divisor.dividingFullWidth((high: remainder, low: words[i]))
            words[i] = q
            remainder = r
        }
    }
}
