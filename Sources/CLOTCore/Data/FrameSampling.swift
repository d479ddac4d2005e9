/// Which frames of a video a training, validation or test item holds (Documentation/Method.md §1,
/// `_partition_and_sample` of the ASOT loader).
public enum FrameSampling: Sendable, Equatable {
    /// Training: one uniform frame in each of `count` equal intervals.
    case random(count: Int)
    /// Validation: `count` evenly spaced frames.
    case evenlySpaced(count: Int)
    /// Test: every frame.
    case all

    /// Frame indices and the padding mask (false on repeated padding frames).
    ///
    /// For a video of N frames and n samples: if n < N, training draws index t_i uniformly in
    /// [b_i, b_{i+1}) with b = ⌊linspace(0, N−1, n+1)⌋ (NumPy's `randint` with array bounds), and
    /// validation takes ⌊linspace(0, N−1, n)⌋; if n ≥ N, every frame followed by the last one
    /// repeated up to n, masked out.
    public func indices(frameCount n: Int, using generator: inout MersenneTwister) -> (indices: [Int], mask: [Bool]) {
        switch self {
        case .all:
            return (Array(0..<n), Array(repeating: true, count: n))
        case .random(let count), .evenlySpaced(let count):
            if count >= n {
                let indices = Array(0..<n) + Array(repeating: n - 1, count: count - n)
                let mask = Array(repeating: true, count: n) + Array(repeating: false, count: count - n)
                return (indices, mask)
            }
            if case .evenlySpaced = self {
                return (Self.flooredLinspace(n - 1, count), Array(repeating: true, count: count))
            }
            let bounds = Self.flooredLinspace(n - 1, count + 1)
            let indices = (0..<count).map { generator.integer(in: bounds[$0]..<bounds[$0 + 1]) }
            return (indices, Array(repeating: true, count: count))
        }
    }

    /// `numpy.linspace(0, stop, num).astype(int)`: i·(stop/(num−1)), the last point exactly `stop`.
    public static func flooredLinspace(_ stop: Int, _ num: Int) -> [Int] {
        guard num > 1 else { return num == 1 ? [0] : [] }
        let step = Double(stop) / Double(num - 1)
        var values = (0..<num).map { Int((Double($0) * step).rounded(.towardZero)) }
        values[num - 1] = stop
        return values
    }
}
