#if canImport(Glibc)
import Glibc
#endif
import Optimized
import Testing

/// The eight-lane kernels of `Optimized` (Kernels/VectorMath.swift) against glibc's scalar
/// `expf`/`logf` and plain lane loops.
@Suite struct VectorMathTests {
    /// Distance in units in the last place between two finite Floats of the same sign.
    static func ulps(_ a: Float, _ b: Float) -> Int {
        abs(Int(a.bitPattern) - Int(b.bitPattern))
    }

    /// The Cephes polynomials are accurate to about 1 ulp; 2 leaves room for the range
    /// reduction's rounding (the documented bound).
    static let ulpBound = 2

    @Test("vexp is within 2 ulp of expf on normal results, across [−87.3, 88.7]")
    func expNormalRange() {
        var x: Float = -87.3
        var worst = 0
        while x < 88.7 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 1.3e-3 })
            let got = Optimized.vectorExp(lanes)
            for i in 0..<8 where expf(lanes[i]).isNormal {
                worst = max(worst, Self.ulps(got[i], expf(lanes[i])))
            }
            x += 0.0173
        }
        #expect(worst <= Self.ulpBound, "worst \(worst) ulp")
    }

    /// Below 2⁻¹²⁶ the result is rounded once to the subnormal grid, whose spacing is
    /// 2⁻¹⁴⁹ ≈ 1.4e-45: within two grid steps of expf, and 0 below −104 as expf gives it.
    @Test("vexp underflows gradually like expf, and gives 0, +∞ and NaN where expf does")
    func expEnds() {
        let step = Float.leastNonzeroMagnitude
        var x: Float = -104.5
        while x < -87 {
            let got = Optimized.vectorExp(SIMD8(repeating: x))[0]
            #expect(abs(got - expf(x)) <= 2 * step || Self.ulps(got, expf(x)) <= Self.ulpBound, "x = \(x)")
            #expect(got >= 0)
            x += 0.011
        }
        let special = SIMD8<Float>(-.infinity, -1e30, -104.5, 88.8, 1e30, .infinity, .nan, 0)
        let got = Optimized.vectorExp(special)
        #expect(got[0] == 0 && got[1] == 0 && got[2] == 0)
        #expect(got[3] == .infinity && got[4] == .infinity && got[5] == .infinity)
        #expect(got[6].isNaN)
        #expect(got[7] == 1)
    }

    @Test("vexp treats each lane on its own when the lanes fall in different ranges")
    func expMixedLanes() {
        let lanes = SIMD8<Float>(-.infinity, -100, -50, 0, 3.5, 88.5, -87.2, 1e-3)
        let got = Optimized.vectorExp(lanes)
        for i in 0..<8 {
            let want = expf(lanes[i])
            #expect(abs(got[i] - want) <= 2 * Float.leastNonzeroMagnitude || Self.ulps(got[i], want) <= Self.ulpBound,
                    "lane \(i): \(got[i]) vs \(want)")
        }
    }

    @Test("vexpNonPositive gives vexp's bits on every x ≤ 0, subnormal and zero results included")
    func expNonPositive() {
        var x: Float = -110
        while x <= 0 {
            let lanes = SIMD8<Float>((0..<8).map { min(0, x + Float($0) * 1.1e-3) })
            let fast = Optimized.vectorExpNonPositive(lanes), full = Optimized.vectorExp(lanes)
            for i in 0..<8 { #expect(fast[i].bitPattern == full[i].bitPattern, "x = \(lanes[i])") }
            x += 0.0093
        }
        let ends = SIMD8<Float>(-.infinity, -1e30, -104, -103.9, -87.34, -0.0, 0, -1e-30)
        let fast = Optimized.vectorExpNonPositive(ends), full = Optimized.vectorExp(ends)
        for i in 0..<8 { #expect(fast[i].bitPattern == full[i].bitPattern, "x = \(ends[i])") }
        // A NaN lane (softmaxRow feeds it one from a NaN entry) stays NaN; its neighbours are untouched.
        let withNaN = Optimized.vectorExpNonPositive(SIMD8<Float>(-1, .nan, -2, -3, -4, -5, -6, -7))
        #expect(withNaN[1].isNaN)
        #expect(withNaN[0] == Optimized.vectorExp(SIMD8<Float>(repeating: -1))[0])
    }

    @Test("vlog is within 2 ulp of logf on positive normal inputs, 1e-37 to 1e37")
    func logRange() {
        var x: Float = 1e-37
        var worst = 0
        while x < 1e37 {
            let lanes = SIMD8<Float>((0..<8).map { x * (1 + Float($0) * 0.037) })
            let got = Optimized.vectorLog(lanes)
            for i in 0..<8 {
                let want = logf(lanes[i])
                // Near x = 1 the result is near 0: measure there in absolute terms (ulps of 1).
                if abs(want) < 1e-3 {
                    #expect(abs(got[i] - want) <= 2 * Float.ulpOfOne, "x = \(lanes[i])")
                } else {
                    worst = max(worst, Self.ulps(got[i], want))
                }
            }
            x *= 1.0731
        }
        #expect(worst <= Self.ulpBound, "worst \(worst) ulp")
    }

    @Test("lane sum and largest lane equal plain loops (sum to Float rounding of 8 terms)")
    func reductions() {
        var state: UInt32 = 12345
        func next() -> Float {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(Int32(bitPattern: state)) / Float(Int32.max) * 10
        }
        for _ in 0..<1000 {
            let lanes = SIMD8<Float>((0..<8).map { _ in next() })
            var plainSum: Double = 0, plainMax = -Float.infinity
            var magnitude: Double = 0
            for i in 0..<8 { plainSum += Double(lanes[i]); magnitude += Double(abs(lanes[i])); plainMax = max(plainMax, lanes[i]) }
            // Three rounding steps of at most ε/2 times the partial magnitudes: ≤ 4ε·Σ|aᵢ|.
            #expect(abs(Double(Optimized.vectorLaneSum(lanes)) - plainSum) <= 4 * Double(Float.ulpOfOne) * magnitude)
            #expect(Optimized.vectorLargestLane(lanes) == plainMax)
        }
    }
}
