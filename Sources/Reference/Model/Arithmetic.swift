import CLOTCore

/// Reference's arithmetic for the model's shared wiring (`FrameEncoder`, `SegmentDecoder`,
/// `ModelForward`, `ModelStages`): the `Reference` layers of `LayerArithmetic`'s names (`Linear`,
/// `LayerNorm`, `MultiHeadAttention`, …, each with its equation in its doc comment), and, here,
/// the sums the wiring needs, written out element by element in Double, and one stage's loss.
extension Reference: LayerArithmetic {
    public typealias Scalar = Double

    public static func zeros(_ rows: Int, _ columns: Int) -> Matrix<Double> { .zeros(rows, columns) }

    public static func tiled(_ x: Matrix<Double>, _ times: Int) -> Matrix<Double> {
        Matrix(rows: x.rows * times, columns: x.columns, elements: Array([[Double]](repeating: x.elements, count: times).joined()))
    }

    public static func addInPlace(_ a: inout Matrix<Double>, _ b: Matrix<Double>) {
        precondition(a.rows == b.rows && a.columns == b.columns, "shapes differ")
        for i in a.elements.indices { a.elements[i] += b.elements[i] }
    }

    /// a ← a + (b + c).
    public static func addInPlace(_ a: inout Matrix<Double>, _ b: Matrix<Double>, _ c: Matrix<Double>) {
        addInPlace(&a, add(b, c))
    }

    public static func summedOverVideos(_ x: Matrix<Double>, batch: Int, rows: Int) -> Matrix<Double> {
        var out = Matrix<Double>.zeros(rows, x.columns)
        for b in 0..<batch { for i in 0..<rows { for j in 0..<x.columns { out[i, j] += x[b * rows + i, j] } } }
        return out
    }

    /// CE(softmax(x Aᵀ/τ), T) with plain loops.
    public static func crossEntropy(_ x: Matrix<Double>, actions: Matrix<Double>, targets: Matrix<Double>, mask: [Bool]?,
                                    temperature: Double) -> Double {
        let probabilities = SoftmaxWithTemperature.forward(CLOTModel.logits(x, actions), temperature: temperature)
        return SoftCrossEntropy.forward(probabilities: probabilities, targets: targets, mask: mask)
    }

    /// The loss, ∂A += (∂logits)ᵀ x and ∂x = ∂logits · A.
    public static func crossEntropyBackward(_ x: Matrix<Double>, actions: Matrix<Double>, targets: Matrix<Double>, mask: [Bool]?,
                                            temperature: Double, actionGradient dA: inout Matrix<Double>)
        -> (loss: Double, input: Matrix<Double>) {
        let probabilities = SoftmaxWithTemperature.forward(CLOTModel.logits(x, actions), temperature: temperature)
        let loss = SoftCrossEntropy.forward(probabilities: probabilities, targets: targets, mask: mask)
        let dLogits = SoftCrossEntropy.backward(probabilities: probabilities, targets: targets, mask: mask, temperature: temperature)
        CLOTModel.accumulate(&dA, CLOTModel.product(transpose: dLogits, x))
        return (loss, CLOTModel.product(dLogits, actions))
    }

    public static func memorySinusoid(frames: Int, dimension: Int, configuration: ModelConfiguration) -> Matrix<Double> {
        SinusoidalPositions.forward(positions: configuration.memoryPositionIndices(frames: frames), dimension: dimension)
    }
}
