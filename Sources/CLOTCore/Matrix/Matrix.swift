/// A dense row-major matrix: the one matrix type both implementations share.
///
/// `Reference` uses `Matrix<Double>`, `Optimized` uses `Matrix<Float>`; `elements` is laid out
/// row by row, so `elements[i * columns + j]` is entry (i, j) and the buffer can be handed to
/// BLAS as a row-major operand with leading dimension `columns`.
public struct Matrix<Scalar>: Equatable, Sendable where Scalar: Equatable & Sendable {
    public let rows: Int
    public let columns: Int
    public var elements: [Scalar]

    /// A `rows × columns` matrix with every entry `value`.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Scalar) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over an existing row-major buffer.
    /// - Precondition: `elements.count == rows * columns`.
    public init(rows: Int, columns: Int, elements: [Scalar]) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        precondition(elements.count == rows * columns,
                     "matrix of \(rows)×\(columns) needs \(rows * columns) elements, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix from nested rows. - Precondition: every row has the same length.
    public init(_ nestedRows: [[Scalar]]) {
        let columns = nestedRows.first?.count ?? 0
        precondition(nestedRows.allSatisfy { $0.count == columns }, "ragged rows")
        self.init(rows: nestedRows.count, columns: columns, elements: nestedRows.flatMap { $0 })
    }

    @inlinable
    public subscript(row: Int, column: Int) -> Scalar {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Scalar] {
        Array(elements[(i * columns)..<((i + 1) * columns)])
    }

    /// Rows `start ..< start + count` (a video's block of a batch stacked by rows).
    @inlinable
    public func rowBlock(_ start: Int, _ count: Int) -> Matrix {
        Matrix(rows: count, columns: columns, elements: Array(elements[(start * columns)..<((start + count) * columns)]))
    }

    /// The matrices stacked by rows, in order (all of one width; at least one).
    @inlinable
    public static func stacked(_ parts: [Matrix]) -> Matrix {
        var elements: [Scalar] = []
        elements.reserveCapacity(parts.reduce(0) { $0 + $1.elements.count })
        for part in parts { elements.append(contentsOf: part.elements) }
        return Matrix(rows: parts.reduce(0) { $0 + $1.rows }, columns: parts[0].columns, elements: elements)
    }

    /// The rows as nested arrays (for JSON and tests).
    public var nestedRows: [[Scalar]] {
        (0..<rows).map { row($0) }
    }

    /// The transpose.
    public var transposed: Matrix {
        guard let first = elements.first else { return Matrix(rows: columns, columns: rows, elements: []) }
        var result = Matrix(rows: columns, columns: rows, repeating: first)
        for i in 0..<rows {
            for j in 0..<columns {
                result[j, i] = self[i, j]
            }
        }
        return result
    }

    /// The rows in `indices`, in that order (repeats allowed).
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var out: [Scalar] = []
        out.reserveCapacity(indices.count * columns)
        for i in indices {
            out.append(contentsOf: elements[(i * columns)..<((i + 1) * columns)])
        }
        return Matrix(rows: indices.count, columns: columns, elements: out)
    }

    /// Elementwise map into another scalar type.
    public func map<T>(_ transform: (Scalar) -> T) -> Matrix<T> {
        Matrix<T>(rows: rows, columns: columns, elements: elements.map(transform))
    }
}

extension Matrix where Scalar: BinaryFloatingPoint {
    /// A `rows × columns` matrix of zeros.
    public static func zeros(_ rows: Int, _ columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, repeating: 0)
    }

    /// Whether every entry is finite.
    public var isFinite: Bool { elements.allSatisfy { $0.isFinite } }

    /// Per-row argmax; ties go to the lowest column, as `torch.argmax` and `numpy.argmax` do.
    /// (Inlinable, so that callers in other modules get it specialised to their scalar.)
    @inlinable
    public func rowArgmax() -> [Int] {
        (0..<rows).map { i in
            var best = 0
            var bestValue = self[i, 0]
            for j in 1..<columns where self[i, j] > bestValue {
                best = j
                bestValue = self[i, j]
            }
            return best
        }
    }

    /// The largest absolute difference to another matrix of the same shape.
    public func maxAbsDifference(_ other: Matrix) -> Scalar {
        precondition(rows == other.rows && columns == other.columns, "shapes differ")
        var worst: Scalar = 0
        for (a, b) in zip(elements, other.elements) { worst = Swift.max(worst, Swift.abs(a - b)) }
        return worst
    }
}

extension Matrix where Scalar == Double {
    /// Converted to Float32 (rounding to nearest).
    public var float32: Matrix<Float> { map { Float($0) } }
}

extension Matrix where Scalar == Float {
    /// Widened to Double (exact).
    public var float64: Matrix<Double> { map { Double($0) } }
}

extension Matrix: Codable where Scalar: Codable {}
