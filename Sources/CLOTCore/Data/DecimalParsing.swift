/// Decimal text → Double on raw bytes, correctly rounded: the same Double as `strtod`, and the
/// same accepted set as Swift's `Double(_:)`, at a few tens of nanoseconds a number.
///
/// Three methods, fastest first; each either answers exactly or passes the number on:
/// 1. Clinger's fast path (W. D. Clinger, "How to Read Floating Point Numbers Accurately",
///    PLDI 1990): w · 10^q with w ≤ 2⁵³ and |q| ≤ 22 is one IEEE multiplication or division
///    of two exact Doubles, hence correctly rounded.
/// 2. Eisel–Lemire (`EiselLemire`): any w of at most 19 digits, from a 192-bit product with
///    a table of powers of ten; it declines the rare cases it cannot decide (exact ties,
///    products at a rounding boundary, subnormals, overflow).
/// 3. The exact slow path: Swift's `Double(_:)` on the field's text, which on Linux is glibc's
///    `strtod` in the C locale (correctly rounded for every input). Everything outside the
///    plain decimal form also lands here — more than 19 significant digits, hexadecimal
///    floats, `inf`, `nan`, stray characters — so what is accepted, and as which value, is
///    exactly what `Double(_:)` accepts: `strtod` must consume the whole field (up to a NUL
///    byte), which must not start with white space.
///
/// The plain decimal form the first two take: an optional sign, digits with at most one
/// decimal point (at least one digit), and an optional exponent `e` or `E` with an optional
/// sign and at least one digit — `-1.5`, `+.5`, `5.`, `1e-320`, `-0`, and the `%.18e` of the
/// official feature files, `-1.234567890123456789e-01`.
public enum DecimalParsing {
    /// The Double the bytes `start ..< start + count` denote, or nil when they are not a number.
    public static func parse(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        let end = start + count
        var p = start
        if let value = parseFast(&p, end: end, powers: PowersOfTen.significands), p == end { return value }
        return parseExactly(start, count: count)
    }

    /// The Double a string denotes, or nil (the convenience form of `parse(_:count:)`).
    public static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return nil }
            return parse(start, count: bytes.count)
        }
    }

    /// Reads a number in the plain decimal form starting at `p` and ending at `end`, a space or
    /// a tab, with Clinger's fast path or Eisel–Lemire, and moves `p` past it. Nil when the text
    /// is not in that form or both methods decline; `p` is then unspecified. `powers` is
    /// `PowersOfTen.significands`, fetched once by the caller's loop.
    @inline(__always)
    static func parseFast(_ p: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>,
                          powers: UnsafeBufferPointer<PowersOfTen.Significand>) -> Double? {
        let start = p
        var scanned = scanSavetxtFormat(&p, end: end)
        if scanned == nil {
            p = start
            scanned = scanPlainDecimal(&p, end: end)
        }
        guard let (negative, significand, exponent) = scanned else { return nil }
        guard p == end || p.pointee == ASCII.space || p.pointee == ASCII.tab else { return nil }
        if significand == 0 { return negative ? -0.0 : 0.0 }
        if significand <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            let magnitude = exponent < 0 ? Double(significand) / exactPowerOfTen(-exponent)
                                         : Double(significand) * exactPowerOfTen(exponent)
            return negative ? -magnitude : magnitude
        }
        // Out of the table's range the answer is plain: w < 10¹⁹, so w · 10^q < 10⁻³²⁹ rounds to
        // zero below it; w ≥ 1, so w · 10^q ≥ 10³⁴⁸ overflows above it.
        if exponent < PowersOfTen.smallestExponent { return negative ? -0.0 : 0.0 }
        if exponent > PowersOfTen.largestExponent { return negative ? -.infinity : .infinity }
        return EiselLemire.double(significand: significand, exponent: exponent, negative: negative, powers: powers)
    }

    /// Scans the one shape of the official feature files, `numpy.savetxt`'s default `%.18e`
    /// (`-1.234567890123456789e-01`: a digit, a point, 18 digits, `e`, a sign, two or three
    /// digits), at fixed offsets and without loops, into ±w · 10^q. Nil for any other shape,
    /// which `scanPlainDecimal` then reads (it reads this one too, only slower).
    @inline(__always)
    static func scanSavetxtFormat(_ p: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>)
        -> (negative: Bool, significand: UInt64, exponent: Int)? {
        let negative = scanSign(&p, end: end)
        guard end - p >= 24 else { return nil }
        let lead = p[0] &- ASCII.zero, digit18 = p[18] &- ASCII.zero, digit19 = p[19] &- ASCII.zero
        let exponentSign = p[21], exponentTens = p[22] &- ASCII.zero, exponentUnits = p[23] &- ASCII.zero
        guard lead < 10, p[1] == ASCII.point, let high = eightDigits(p + 2), let low = eightDigits(p + 10),
              digit18 < 10, digit19 < 10, p[20] | 0x20 == ASCII.lowercaseE,
              exponentSign == ASCII.minus || exponentSign == ASCII.plus, exponentTens < 10, exponentUnits < 10
        else { return nil }
        var exponent = Int(exponentTens) * 10 + Int(exponentUnits)
        p += 24
        if p < end, case let hundreds = p.pointee &- ASCII.zero, hundreds < 10 {
            exponent = exponent * 10 + Int(hundreds)
            p += 1
        }
        // lead · 10¹⁸ + high · 10¹⁰ + low · 10² + the last two digits: below 10¹⁹ < 2⁶⁴.
        let significand = ((UInt64(lead) &* 100_000_000 &+ high) &* 100_000_000 &+ low) &* 100
            &+ UInt64(digit18) &* 10 &+ UInt64(digit19)
        return (negative, significand, (exponentSign == ASCII.minus ? -exponent : exponent) - 18)
    }

    /// Scans `[+-]digits[.digits][(e|E)[+-]digits]` from `p`, stopping at the first byte
    /// that does not continue it, into ±w · 10^q. Nil when no digit precedes the exponent, the
    /// exponent has no digit, or there are more than 19 significant digits (w would not be
    /// exact); zeros before the first nonzero digit do not count.
    @inline(__always)
    static func scanPlainDecimal(_ p: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>)
        -> (negative: Bool, significand: UInt64, exponent: Int)? {
        let negative = scanSign(&p, end: end)
        let integerStart = p
        skipZeros(&p, end: end)
        var significand: UInt64 = 0
        var significantStart = p
        accumulateDigits(&significand, &p, end: end)
        var significantDigits = p - significantStart
        var anyDigit = p > integerStart
        var fractionDigits = 0
        if p < end && p.pointee == ASCII.point {
            p += 1
            let fractionStart = p
            // Zeros right after the point and before any nonzero digit only scale the value.
            if significantDigits == 0 { skipZeros(&p, end: end) }
            significantStart = p
            accumulateDigits(&significand, &p, end: end)
            significantDigits += p - significantStart
            fractionDigits = p - fractionStart
            anyDigit = anyDigit || p > fractionStart
        }
        // More than 19 digits could overflow 64 bits (the sum wraps), and more than 1000 digits
        // after the point would defeat the exponent's saturation below: such fields are left
        // to the exact path.
        guard anyDigit, significantDigits <= 19, fractionDigits <= 1000 else { return nil }

        var exponent = 0
        if p < end && p.pointee | 0x20 == ASCII.lowercaseE {
            p += 1
            let negativeExponent = scanSign(&p, end: end)
            let exponentStart = p
            while p < end, case let digit = p.pointee &- ASCII.zero, digit < 10 {
                // Saturates at 10⁵ or more, where, less at most 1000 digits after the point,
                // q is still far outside the range of values other than 0 and infinity.
                if exponent < 100_000 { exponent = exponent &* 10 &+ Int(digit) }
                p += 1
            }
            guard p > exponentStart else { return nil }
            if negativeExponent { exponent = -exponent }
        }
        return (negative, significand, exponent - fractionDigits)
    }

    /// Moves `p` past a '+' or '-' there, if any; whether it was '-'. Without branches: the
    /// signs of feature values are random, and a mispredicted branch costs as much as the
    /// rest of the sign's work many times over.
    @inline(__always)
    static func scanSign(_ p: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Bool {
        guard p < end else { return false }
        let byte = p.pointee
        let isMinus = byte == ASCII.minus
        p += (isMinus ? 1 : 0) | (byte == ASCII.plus ? 1 : 0)
        return isMinus
    }

    /// Moves `p` past a run of '0'.
    @inline(__always)
    static func skipZeros(_ p: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
        while p < end && p.pointee == ASCII.zero { p += 1 }
    }

    /// Appends the run of decimal digits at `p` to `significand` (wrapping past 64 bits; the
    /// caller discards more than 19 digits), eight at a time while it can.
    @inline(__always)
    static func accumulateDigits(_ significand: inout UInt64, _ p: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
        while end - p >= 8, let eight = eightDigits(p) {
            significand = significand &* 100_000_000 &+ eight
            p += 8
        }
        while p < end, case let digit = p.pointee &- ASCII.zero, digit < 10 {
            significand = significand &* 10 &+ UInt64(digit)
            p += 1
        }
    }

    /// The value of the eight bytes at `p` when all are decimal digits, else nil: one 64-bit
    /// load and a few multiplications instead of eight dependent multiply-adds (the "SIMD
    /// within a register" digit parsing that Lemire's paper also uses).
    @inline(__always)
    static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        // Little-endian: the first character is the lowest byte.
        let chunk = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        // Each byte is a digit when its high nibble is 3 and it stays so after adding 6
        // (0x30…0x39 do; 0x3A…0x3F become 0x40…0x45). A byte whose +6 carries into the next
        // one is ≥ 0xFA, which fails its own high-nibble test anyway.
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let isDigits = (chunk & highNibbles) | (((chunk &+ 0x0606_0606_0606_0606) & highNibbles) >> 4)
        guard isDigits == 0x3333_3333_3333_3333 else { return nil }
        // Digits d0 … d7 (d0 the first). Combine neighbours into 2-digit values, then those into
        // 4-digit values, then the two halves; each step multiplies the earlier (more
        // significant) part by 10, 100 or 10 000.
        var v = chunk &- 0x3030_3030_3030_3030
        v = (v &* 10 &+ (v >> 8)) & 0x00FF_00FF_00FF_00FF         // 10 d0 + d1, 10 d2 + d3, …
        v = (v &* 100 &+ (v >> 16)) & 0x0000_FFFF_0000_FFFF       // 1000 d0 + … + d3, …
        return (v &* 10_000 &+ (v >> 32)) & 0xFFFF_FFFF          // the eight-digit value
    }

    /// The exact slow path: Swift's `Double(_:)` on the bytes (glibc `strtod`, C locale).
    static func parseExactly(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        Double(String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self))
    }

    /// 10^n for 0 ≤ n ≤ 22, each exactly a Double (5²² < 2⁵³).
    @inline(__always)
    static func exactPowerOfTen(_ n: Int) -> Double {
        exactPowersOfTen.withUnsafeBufferPointer { $0[n] }
    }

    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
