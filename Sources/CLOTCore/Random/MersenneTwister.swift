// The project's one seeded random generator.
//
// Every random draw in the project (frame sampling, F1 sampling, dropout masks, k-means++
// seeding, sliced-Wasserstein directions) goes through this type, so the same seed gives the
// same numbers on every machine. It is MT19937 [Matsumoto & Nishimura 1998], and each derived
// draw follows NumPy's *legacy* `RandomState` bit for bit (`random_sample`, `randint`,
// `random_integers`, `randn`, `permutation`). That lets the tests check sampled quantities —
// the official sampled F1 above all — against the official Python code run with the same seed.
//
// [Matsumoto & Nishimura 1998]: https://doi.org/10.1145/272991.272995

/// MT19937 with NumPy-`RandomState`-compatible derived draws.
public struct MersenneTwister: RandomNumberGenerator, Sendable, Codable, Equatable {
    @usableFromInline static let n = 624
    @usableFromInline static let m = 397

    @usableFromInline var state: [UInt32]
    @usableFromInline var index: Int
    /// The second value of the last polar-method pair, as NumPy caches it.
    private var cachedGaussian: Double?

    /// Seeds the generator as `numpy.random.seed(seed)` does (`init_genrand`).
    public init(seed: UInt32) {
        var mt = [UInt32](repeating: 0, count: Self.n)
        mt[0] = seed
        for i in 1..<Self.n {
            mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
        state = mt
        index = Self.n
        cachedGaussian = nil
    }

    /// Seeds from any integer seed by keeping its low 32 bits (NumPy rejects larger seeds).
    public init(seed: Int) {
        self.init(seed: UInt32(truncatingIfNeeded: seed))
    }

    /// Regenerates the 624 words (the standard MT19937 recurrence, split into its three
    /// ranges so no index needs a modulo). Eight words at a time: word i reads words i + 1 and
    /// i + m (old values in the first range) or i + m − n (already regenerated in the second),
    /// and a lane reads its right neighbour before any lane stores, so the eight-lane step
    /// computes exactly what eight scalar steps do.
    @usableFromInline mutating func twist() {
        let n = Self.n, m = Self.m
        state.withUnsafeMutableBufferPointer { buffer in
            let mt = buffer.baseAddress!
            let raw = UnsafeMutableRawPointer(mt)
            @inline(__always) func mix(_ i: Int, _ next: Int, _ far: Int) {
                let y = (mt[i] & 0x8000_0000) | (mt[next] & 0x7fff_ffff)
                mt[i] = mt[far] ^ (y >> 1) ^ ((y & 1) &* 0x9908_b0df)
            }
            @inline(__always) func mix8(_ i: Int, _ far: Int) {
                typealias Word8 = SIMD8<UInt32>
                let a = raw.loadUnaligned(fromByteOffset: 4 * i, as: Word8.self)
                let b = raw.loadUnaligned(fromByteOffset: 4 * (i + 1), as: Word8.self)
                let f = raw.loadUnaligned(fromByteOffset: 4 * far, as: Word8.self)
                let y = (a & 0x8000_0000) | (b & 0x7fff_ffff)
                let result = f ^ (y &>> 1) ^ ((y & 1) &* 0x9908_b0df)
                raw.storeBytes(of: result, toByteOffset: 4 * i, as: Word8.self)
            }
            var i = 0
            while i + 8 <= n - m { mix8(i, i + m); i += 8 }
            while i < n - m { mix(i, i + 1, i + m); i += 1 }
            // Second range: lanes read words i − 227 … i − 220, all regenerated above.
            while i + 8 <= n - 1 { mix8(i, i + m - n); i += 8 }
            while i < n - 1 { mix(i, i + 1, i + m - n); i += 1 }
            mix(n - 1, 0, m - 1)
        }
        index = 0
    }

    /// Fills `out` with the next `out.count` raw outputs: exactly the words `out.count` calls
    /// of `nextUInt32()` return, in order (tempered eight at a time). For bulk draws such as
    /// dropout masks.
    public mutating func fill(_ out: UnsafeMutableBufferPointer<UInt32>) {
        guard let destination = out.baseAddress else { return }
        var done = 0
        while done < out.count {
            if index >= Self.n { twist() }
            let take = Swift.min(Self.n - index, out.count - done)
            let start = index
            state.withUnsafeBufferPointer { buffer in
                let source = UnsafeRawPointer(buffer.baseAddress! + start)
                let target = UnsafeMutableRawPointer(destination + done)
                var j = 0
                while j + 8 <= take {
                    var y = source.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<UInt32>.self)
                    y ^= y &>> 11
                    y ^= (y &<< 7) & 0x9d2c_5680
                    y ^= (y &<< 15) & 0xefc6_0000
                    y ^= y &>> 18
                    target.storeBytes(of: y, toByteOffset: 4 * j, as: SIMD8<UInt32>.self)
                    j += 8
                }
                while j < take {
                    var y = buffer[start + j]
                    y ^= y >> 11
                    y ^= (y << 7) & 0x9d2c_5680
                    y ^= (y << 15) & 0xefc6_0000
                    y ^= y >> 18
                    destination[done + j] = y
                    j += 1
                }
            }
            index += take
            done += take
        }
    }

    /// One raw 32-bit MT19937 output (`genrand_int32`). Inlinable: dropout masks draw one per element.
    @inlinable
    public mutating func nextUInt32() -> UInt32 {
        if index >= Self.n { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// Two raw outputs joined, high word first (for `RandomNumberGenerator`).
    public mutating func next() -> UInt64 {
        let high = UInt64(nextUInt32())
        return (high << 32) | UInt64(nextUInt32())
    }

    /// A uniform double in [0, 1) with 53 random bits: NumPy's `random_sample()`.
    public mutating func uniform() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A uniform integer in the closed range `0...maximum`, by masked rejection sampling on
    /// 32-bit draws (64-bit draws above 2³²−1), as NumPy's legacy bounded integers draw it.
    /// `maximum == 0` consumes nothing, exactly as NumPy.
    public mutating func integer(upTo maximum: UInt64) -> UInt64 {
        if maximum == 0 { return 0 }
        var mask = maximum
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4
        mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32
        if maximum <= UInt64(UInt32.max) {
            if maximum == UInt64(UInt32.max) { return UInt64(nextUInt32()) }
            while true {
                let value = UInt64(nextUInt32()) & mask
                if value <= maximum { return value }
            }
        }
        while true {
            let value = next() & mask
            if value <= maximum { return value }
        }
    }

    /// A uniform integer in `low..<high`: NumPy's `randint(low, high)`.
    /// - Precondition: `low < high`.
    public mutating func integer(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "integer(in:) needs a non-empty range")
        let span = UInt64(range.upperBound - range.lowerBound - 1)
        return range.lowerBound + Int(integer(upTo: span))
    }

    /// A uniform integer in `low...high`: NumPy's `random_integers(low, high)`.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound)
        return range.lowerBound + Int(integer(upTo: span))
    }

    /// A standard normal draw by the polar Box–Muller method with the second value cached:
    /// NumPy's legacy `randn()`.
    public mutating func gaussian() -> Double {
        if let cached = cachedGaussian {
            cachedGaussian = nil
            return cached
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2.0 * uniform() - 1.0
            x2 = 2.0 * uniform() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        let f = (-2.0 * _log(r2) / r2).squareRoot()
        cachedGaussian = f * x1
        return f * x2
    }

    /// Fills `out` with the next `out.count` standard normal draws: exactly the values
    /// `out.count` calls of `gaussian()` return, leaving the generator (words and cached second
    /// value) exactly as those calls leave it. The polar method's accepted pairs are found first
    /// (the same words in the same order, read straight from the state block), then
    /// f = √(−2 ln r² / r²) runs four pairs at a time (IEEE division and square root give the
    /// scalar bits; the logarithm stays the scalar libm call).
    public mutating func fillGaussians(_ out: UnsafeMutableBufferPointer<Double>) {
        guard let destination = out.baseAddress, out.count > 0 else { return }
        var filled = 0
        if let cached = cachedGaussian {
            cachedGaussian = nil
            destination[0] = cached
            filled = 1
        }
        let pairs = (out.count - filled + 1) / 2
        guard pairs > 0 else { return }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * pairs) { scratch in
            let x1s = scratch.baseAddress!, x2s = x1s + pairs, factors = x2s + pairs
            // Accepted pairs (x1, x2) and ln r², in draw order.
            var p = 0
            // Written unconditionally and kept by advancing p (callers ensure p < pairs): a
            // rejection (about one attempt in five) costs no mispredicted branch.
            @inline(__always) func accept(_ x1: Double, _ x2: Double) {
                let r2 = x1 * x1 + x2 * x2
                x1s[p] = x1
                x2s[p] = x2
                factors[p] = r2
                p &+= r2 < 1.0 && r2 != 0.0 ? 1 : 0
            }
            while p < pairs {
                // Attempts whose four words lie in the current block read them straight from it.
                if index + 4 <= Self.n {
                    var i = index
                    state.withUnsafeBufferPointer { words in
                        @inline(__always) func word(_ k: Int) -> UInt32 {
                            var y = words[k]
                            y ^= y >> 11
                            y ^= (y << 7) & 0x9d2c_5680
                            y ^= (y << 15) & 0xefc6_0000
                            y ^= y >> 18
                            return y
                        }
                        @inline(__always) func unit(_ k: Int) -> Double {
                            let a = Double(word(k) >> 5), b = Double(word(k + 1) >> 6)
                            return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
                        }
                        while i + 4 <= Self.n && p < pairs {
                            let x1 = 2.0 * unit(i) - 1.0
                            let x2 = 2.0 * unit(i + 2) - 1.0
                            i += 4
                            accept(x1, x2)
                        }
                    }
                    index = i
                } else {
                    let x1 = 2.0 * uniform() - 1.0
                    let x2 = 2.0 * uniform() - 1.0
                    accept(x1, x2)
                }
            }
            for q in 0..<pairs { factors[q] = -2.0 * _log(factors[q]) }
            // f = √(−2 ln r² / r²): r² is recomputed from (x1, x2) with the same operations.
            var q = 0
            let fr = UnsafeMutableRawPointer(factors), x1r = UnsafeRawPointer(x1s), x2r = UnsafeRawPointer(x2s)
            while q + 4 <= pairs {
                let a = x1r.loadUnaligned(fromByteOffset: 8 * q, as: SIMD4<Double>.self)
                let b = x2r.loadUnaligned(fromByteOffset: 8 * q, as: SIMD4<Double>.self)
                let l = fr.loadUnaligned(fromByteOffset: 8 * q, as: SIMD4<Double>.self)
                let r2 = a * a + b * b
                fr.storeBytes(of: (l / r2).squareRoot(), toByteOffset: 8 * q, as: SIMD4<Double>.self)
                q += 4
            }
            while q < pairs {
                let r2 = x1s[q] * x1s[q] + x2s[q] * x2s[q]
                factors[q] = (factors[q] / r2).squareRoot()
                q += 1
            }
            // gaussian() returns f·x2 and caches f·x1.
            for q in 0..<pairs {
                let f = factors[q]
                destination[filled] = f * x2s[q]
                filled += 1
                if filled < out.count {
                    destination[filled] = f * x1s[q]
                    filled += 1
                } else {
                    cachedGaussian = f * x1s[q]
                }
            }
        }
    }

    /// Shuffles in place with NumPy's legacy Fisher–Yates order (from the back).
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, through: 1, by: -1) {
            let j = Int(integer(upTo: UInt64(i)))
            values.swapAt(i, j)
        }
    }

    /// A random permutation of `0..<count`: NumPy's `permutation(count)`.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        shuffle(&values)
        return values
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
#endif
