#if canImport(Glibc)
import Glibc
#endif

/// Eight-lane Float32 exp and log (Cephes single-precision algorithms [Moshier 1992]:
/// range reduction by ln 2 and a degree-5/9 minimax polynomial; the reductions use bit tricks
/// rather than lane-wise rounding so they stay vectorised), so the solver's per-entry
/// transcendental calls vectorise on AVX2. Both are within 2 ulp of glibc's `expf`/`logf`
/// (checked in `Tests/Numerics/VectorMathTests`); `vlog` expects positive normal inputs.
///
/// [Moshier 1992]: S. L. Moshier, Methods and Programs for Mathematical Functions, Cephes library.
typealias Float8 = SIMD8<Float>

/// The common part of `vexp` and `vexpNonPositive`: x = n·ln 2 + r with |r| ≤ ln 2 / 2 and
/// y = e^r by the Cephes polynomial, so e^x = y · 2ⁿ.
@_transparent
func expReduced(_ x: Float8) -> (y: Float8, n: SIMD8<Int32>) {
    // Round x·log2(e) to nearest with the 1.5·2²³ trick: the integer lands in the low mantissa bits.
    let shifted = x * 1.442_695_040_888_963_41 + 12_582_912.0
    let fx = shifted - 12_582_912.0
    let n = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
    var r = x - fx * 0.693_359_375
    r = r - fx * -2.121_944_40e-4
    let r2 = r * r
    var y: Float8 = Float8(repeating: 1.987_569_150_0e-4)
    y = y * r + 1.398_199_950_7e-3
    y = y * r + 8.333_451_907_3e-3
    y = y * r + 4.166_579_589_4e-2
    y = y * r + 1.666_666_545_9e-1
    y = y * r + 5.000_000_120_1e-1
    y = y * r2 + r + 1
    return (y, n)
}

/// e^x lane by lane, without a branch: IEEE results at the ends of the range as `expf` gives
/// them (+0 below −104, +∞ above 88.72, NaN for NaN) and gradual underflow in between — 2ⁿ is
/// applied as two factors where n is outside the normal exponents, so a result below 2⁻¹²⁶
/// is rounded once, to the subnormal grid (within 2 subnormal ulps of `expf`, 3e-45).
@_transparent   // mandatory inlining: the fused sweeps are too large for @inline(__always) to be honoured
func vexp(_ x: Float8) -> Float8 {
    let (y, n) = expReduced(x)
    // y · 2^(n − split) · 2^split, split = 0 in the normal range (the second factor is 1).
    typealias Int8x = SIMD8<Int32>
    let below = n .< Int8x(repeating: -126), above = n .> Int8x(repeating: 127)
    let split = Int8x(repeating: 0).replacing(with: Int8x(repeating: -64), where: below)
        .replacing(with: Int8x(repeating: 1), where: above)
    let first = unsafeBitCast((n &- split &+ Int8x(repeating: 127)) &<< Int8x(repeating: 23), to: Float8.self)
    let second = unsafeBitCast((split &+ Int8x(repeating: 127)) &<< Int8x(repeating: 23), to: Float8.self)
    let zero = x .< Float8(repeating: -104), infinite = x .> Float8(repeating: 88.722_84)
    return (y * first * second)
        .replacing(with: Float8(repeating: 0), where: zero)
        .replacing(with: Float8(repeating: .infinity), where: infinite)
}

/// `vexp` for x ≤ 0 (or −∞), as the solvers' row-shifted exponents are, with fewer
/// operations: n ≤ 0 there, so 2ⁿ = 2ⁿ⁺⁶⁴ · 2⁻⁶⁴ always fits two normal factors and no lane
/// needs the split chosen. The same bits as `vexp` on every such input (the scalings are exact
/// whenever the result is normal, and round once to the same subnormal otherwise; tested).
@_transparent
func vexpNonPositive(_ x: Float8) -> Float8 {
    let (y, n) = expReduced(x)
    typealias Int8x = SIMD8<Int32>
    let first = unsafeBitCast((n &+ Int8x(repeating: 64 + 127)) &<< Int8x(repeating: 23), to: Float8.self)
    let second = Float8(repeating: 0x1p-64)
    return (y * first * second).replacing(with: Float8(repeating: 0), where: x .< Float8(repeating: -104))
}

@inline(__always)
func vlog(_ input: Float8) -> Float8 {
    // Reduce to m ∈ [√½, √2) and exponent e without a select (musl's logf reduction).
    let bits = unsafeBitCast(input, to: SIMD8<Int32>.self) &+ (0x3f80_0000 - 0x3f35_04f3)
    // The exponent as a Float without the generic Int32 → Float conversion (not inlined):
    // e + 1.5·2²³ in the mantissa bits, minus 1.5·2²³, exact for |e| < 2²².
    let e = unsafeBitCast(((bits &>> 23) &- 127) &+ 0x4B40_0000, to: Float8.self) - 12_582_912.0
    let m = unsafeBitCast((bits & 0x007f_ffff) &+ 0x3f35_04f3, to: Float8.self)
    let x = m - 1
    let z = x * x
    var y = Float8(repeating: 7.037_683_629_2e-2)
    y = y * x - 1.151_461_031_0e-1
    y = y * x + 1.167_699_874_0e-1
    y = y * x - 1.242_014_084_6e-1
    y = y * x + 1.424_932_278_7e-1
    y = y * x - 1.666_805_766_5e-1
    y = y * x + 2.000_071_476_5e-1
    y = y * x - 2.499_999_399_3e-1
    y = y * x + 3.333_333_117_4e-1
    y = y * x * z
    y = y + e * -2.121_944_40e-4
    y = y - 0.5 * z
    return x + y + e * 0.693_359_375
}

@inline(__always)
func loadFloat8(_ p: UnsafeMutableBufferPointer<Float>, _ i: Int) -> Float8 {
    UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: Float8.self)
}

@inline(__always)
func storeFloat8(_ v: Float8, _ p: UnsafeMutableBufferPointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p.baseAddress! + i).storeBytes(of: v, as: Float8.self)
}

@inline(__always)
func load4(_ p: UnsafeMutablePointer<Float>) -> SIMD4<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }
@inline(__always)
func load4(_ p: UnsafeMutablePointer<Double>) -> SIMD4<Double> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self) }
@inline(__always)
func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self) }
@inline(__always)
func store4(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Double>.self) }
@inline(__always)
func load8(_ p: UnsafeMutablePointer<Float>) -> Float8 { UnsafeRawPointer(p).loadUnaligned(as: Float8.self) }
@inline(__always)
func load8(_ p: UnsafeMutablePointer<Double>) -> SIMD8<Double> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self) }
@inline(__always)
func store8(_ v: Float8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float8.self) }
@inline(__always)
func store8(_ v: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Double>.self) }

extension Optimized {
    /// `vexp` on eight lanes, for tests.
    public static func vectorExp(_ x: SIMD8<Float>) -> SIMD8<Float> { vexp(x) }
    /// `vexpNonPositive` on eight lanes, for tests.
    public static func vectorExpNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> { vexpNonPositive(x) }
    /// `vlog` on eight lanes, for tests.
    public static func vectorLog(_ x: SIMD8<Float>) -> SIMD8<Float> { vlog(x) }
    /// `laneSum`, `largestLane` on eight lanes, for tests.
    public static func vectorLaneSum(_ x: SIMD8<Float>) -> Float { laneSum(x) }
    public static func vectorLargestLane(_ x: SIMD8<Float>) -> Float { largestLane(x) }
}

// Halves of a vector and vectors from halves, as bit casts: the standard library's `lowHalf`,
// `highHalf` and `init(lowHalf:highHalf:)` are generic and were left as calls in the fused sweeps.
@_transparent
func halves(_ v: Float8) -> (low: SIMD4<Float>, high: SIMD4<Float>) { unsafeBitCast(v, to: (SIMD4<Float>, SIMD4<Float>).self) }
@_transparent
func halves(_ v: SIMD4<Float>) -> (low: SIMD2<Float>, high: SIMD2<Float>) { unsafeBitCast(v, to: (SIMD2<Float>, SIMD2<Float>).self) }
@_transparent
func joined(_ low: SIMD4<Float>, _ high: SIMD4<Float>) -> Float8 { unsafeBitCast((low, high), to: Float8.self) }
@_transparent
func joined(_ low: SIMD4<Double>, _ high: SIMD4<Double>) -> SIMD8<Double> { unsafeBitCast((low, high), to: SIMD8<Double>.self) }
@_transparent
func halves(_ v: SIMD8<Double>) -> (low: SIMD4<Double>, high: SIMD4<Double>) { unsafeBitCast(v, to: (SIMD4<Double>, SIMD4<Double>).self) }

/// The larger of two numbers, as `Swift.max` picks it (`b >= a ? b : a`), written out so that it
/// is inlined.
@_transparent
func larger(_ a: Float, _ b: Float) -> Float { b >= a ? b : a }

/// Lane-wise maximum (written out: `pointwiseMax` is not inlined from the standard library).
@_transparent
func lanewiseMax(_ a: Float8, _ b: Float8) -> Float8 {
    // A compare and a blend (the same lane rule as `where b[i] > a[i] take b[i]`).
    a.replacing(with: b, where: b .> a)
}

/// The largest lane, by halving: max(max(low, high) of each half) (the generic SIMD
/// reductions are not inlined from the standard library and cost more than this).
@_transparent
func largestLane(_ a: Float8) -> Float {
    let (low, high) = halves(a)
    return largestLane(low.replacing(with: high, where: high .> low))
}

/// The sum of the lanes by halving, ((a₀ + a₄) + (a₂ + a₆)) + ((a₁ + a₅) + (a₃ + a₇)): three
/// dependent additions instead of seven (a different rounding from the sum in lane order).
@_transparent
func laneSum(_ a: Float8) -> Float {
    let (low, high) = halves(a)
    return laneSum(low + high)
}

/// The largest of four lanes, by halving (as `largestLane`).
@_transparent
func largestLane(_ a: SIMD4<Float>) -> Float {
    let (low, high) = halves(a)
    let two = low.replacing(with: high, where: high .> low)
    return two[1] > two[0] ? two[1] : two[0]
}

/// The sum of four lanes by halving, (a₀ + a₂) + (a₁ + a₃).
@_transparent
func laneSum(_ a: SIMD4<Float>) -> Float {
    let (low, high) = halves(a)
    let two = low + high
    return two[0] + two[1]
}
