/// The Eisel–Lemire algorithm: w · 10^q → the nearest Double (ties to even), from two
/// 64 × 64-bit products with the truncated 128-bit significand of 10^q — or no answer, when
/// those products cannot tell which way the exact value rounds.
///
/// Source: D. Lemire, "Number Parsing at a Gigabyte per Second", Software: Practice and
/// Experience 51(8), 2021 (after M. Eisel), in the variant of Wuffs and Go's `strconv`
/// (rounded-down table, the "wider approximation" and "half-way ambiguity" checks) that
/// N. Tao explains in "The Eisel-Lemire ParseNumberF64 Algorithm" (2020), with the wider
/// product always computed (see below). It never answers
/// wrongly; it declines for exact halfway cases, for a product too close to a rounding
/// boundary, and for results that are subnormal or overflow, and the caller then parses
/// the text with an exact slow method.
enum EiselLemire {
    /// The correctly rounded Double of ±w · 10^q, or nil when this method cannot decide.
    /// `powers` is `PowersOfTen.significands`, fetched once by the caller's loop.
    /// - Precondition: w > 0 (w is exact: at most 19 decimal digits).
    @inline(__always)
    static func double(significand w: UInt64, exponent q: Int, negative: Bool,
                       powers: UnsafeBufferPointer<PowersOfTen.Significand>) -> Double? {
        guard q >= PowersOfTen.smallestExponent, q <= PowersOfTen.largestExponent else { return nil }
        let power = powers[q - PowersOfTen.smallestExponent]

        // Normalise w so that its top bit is set; the product's top bit is then bit 127 or 126.
        let shift = w.leadingZeroBitCount
        let x = w &<< UInt64(shift)
        // The biased binary exponent the result would have if the product's top bit were bit
        // 127; ⌊q · log₂10⌋ = (217706 · q) >> 16 for every q of the table.
        var exponent = ((217706 * q) >> 16) + 64 + 1023 - shift

        // The product of x with the 128-bit table entry, to 192 bits (high, low, lowest). The
        // product with the exact 10^q is larger by less than x in units of the lowest word
        // (the table is rounded down by less than one unit of its low word).
        let (upperHigh, upperLow) = x.multipliedFullWidth(by: power.high)
        let (lowerHigh, lowest) = x.multipliedFullWidth(by: power.low)
        let (low, carry) = upperLow.addingReportingOverflow(lowerHigh)
        let high = upperHigh &+ (carry ? 1 : 0)
        // That error can change the 54 bits kept only by carrying through every bit below them:
        // the 9 below them in `high`, all of `low`, and out of `lowest`. Decline then.
        //
        // (Wuffs and Go compute the lower product only when the 9 bits are all ones and low + x
        // would carry. For text written from Doubles — `%.18e` carries about 63 bits, so the
        // decimal is within 2⁻⁶³ of a Double — the bits below the 53 are nearly all zeros or
        // all ones, and that test is true for a third of the numbers, a branch mispredicted as
        // often. One more multiplication every time is cheaper.)
        if high & 0x1FF == 0x1FF && low == .max && lowest &+ x < x { return nil }

        // Keep 54 bits: the 53 of the result and one rounding bit.
        let topBit = high >> 63
        var mantissa = high >> (topBit + 9)
        exponent -= Int(1 ^ topBit)

        // Half-way ambiguity: nothing below the rounding bit, which is set, over an even
        // result. The exact value may sit exactly halfway (round to even: down), or a hair
        // above; the product cannot tell.
        if low == 0 && high & 0x1FF == 0 && mantissa & 3 == 1 { return nil }

        // Round to 53 bits (ties away here; true ties were excluded just above).
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >> 53 != 0 {
            mantissa >>= 1
            exponent += 1
        }
        // Subnormal, zero, infinite: left to the exact slow path.
        guard exponent > 0, exponent < 0x7FF else { return nil }
        let sign: UInt64 = negative ? 1 << 63 : 0
        return Double(bitPattern: sign | UInt64(exponent) << 52 | mantissa & ((1 << 52) - 1))
    }
}
