#if canImport(Glibc)
import Glibc
#endif

/// Eight-lane Float32 exp and log (Cephes single-precision algorithms [Moshier 1992]:
/// range reduction by ln 2 and a degree-5/9 minimax polynomial; the reductions use bit tricks
/// rather than lane-wise rounding so they stay vectorised), so the solver's per-entry
/// transcendental calls vectorise on AVX2. Both are within 2 ulp of glibc's `expf`/`logf` on
/// the ranges used here (checked in `Tests/Numerics/VectorMathTests`). `vexp` falls back to
/// `expf` lane by lane when a result would be subnormal, so underflow matches the official
/// float32 code exactly; `vlog` expects positive normal inputs.
///
/// [Moshier 1992]: S. L. Moshier, Methods and Programs for Mathematical Functions, Cephes library.
typealias Float8 = SIMD8<Float>

@inline(__always)
func vexp(_ x: Float8) -> Float8 {
    if outsideNormalRange(x) {
        // expf only where it is needed: below −104 expf rounds to +0 (e^−104 is under half the
        // smallest subnormal), so those lanes (−∞ on masked rows) take 0 without the call.
        var out = Float8()
        for i in 0..<8 { out[i] = x[i] < -104 ? 0 : expf(x[i]) }
        return out
    }
    // Round x·log2(e) to nearest with the 1.5·2²³ trick: the integer lands in the low mantissa bits.
    let shifted = x * 1.442_695_040_888_963_41 + 12_582_912.0
    let fx = shifted - 12_582_912.0
    let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
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
    let exponent = (integer &+ 127) &<< 23
    return y * unsafeBitCast(exponent, to: Float8.self)
}

@inline(__always)
func vlog(_ input: Float8) -> Float8 {
    // Reduce to m ∈ [√½, √2) and exponent e without a select (musl's logf reduction).
    let bits = unsafeBitCast(input, to: SIMD8<Int32>.self) &+ (0x3f80_0000 - 0x3f35_04f3)
    let e = Float8((bits &>> 23) &- 127)
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

extension Optimized {
    /// `vexp` on a value, for tests.
    public static func vectorExp(_ x: Float) -> Float { vexp(Float8(repeating: x))[0] }
    /// `vlog` on a value, for tests.
    public static func vectorLog(_ x: Float) -> Float { vlog(Float8(repeating: x))[0] }
}

/// Whether any lane of x would give a subnormal or infinite exp (plain lane loop: the
/// generic SIMD reductions are not inlined and cost more than the exp itself).
@inline(__always)
func outsideNormalRange(_ x: Float8) -> Bool {
    var outside = false
    for i in 0..<8 { outside = outside || x[i] < -87.0 || x[i] > 88.3 }
    return outside
}

/// Lane-wise maximum (written out: `pointwiseMax` is not inlined from the standard library).
@inline(__always)
func lanewiseMax(_ a: Float8, _ b: Float8) -> Float8 {
    // A compare and a blend (the same lane rule as `where b[i] > a[i] take b[i]`).
    a.replacing(with: b, where: b .> a)
}

/// The largest lane.
@inline(__always)
func largestLane(_ a: Float8) -> Float {
    var m = a[0]
    for i in 1..<8 where a[i] > m { m = a[i] }
    return m
}
