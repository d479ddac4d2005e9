import CLOTCore

/// Optimized's arithmetic for the model's shared wiring (`FrameEncoder`, `SegmentDecoder`,
/// `ModelForward`, `ModelStages`): the `Optimized` layers of `LayerArithmetic`'s names (Float32,
/// every product on the fixed-order sgemm), and, here, the sums the wiring needs, over raw
/// buffers, and one stage's loss. The wiring is inlinable, so it is specialised to these here.
extension Optimized: LayerArithmetic {
    public typealias Scalar = Float

    public static func zeros(_ rows: Int, _ columns: Int) -> Matrix<Float> { CLOTModel.zeros(rows, columns) }

    public static func tiled(_ x: Matrix<Float>, _ times: Int) -> Matrix<Float> {
        var elements: [Float] = []
        elements.reserveCapacity(x.elements.count * times)
        for _ in 0..<times { elements.append(contentsOf: x.elements) }
        return Matrix(rows: x.rows * times, columns: x.columns, elements: elements)
    }

    public static func addInPlace(_ a: inout Matrix<Float>, _ b: Matrix<Float>) {
        precondition(a.rows == b.rows && a.columns == b.columns, "shapes differ")
        b.elements.withUnsafeBufferPointer { bp in
            a.elements.withUnsafeMutableBufferPointer { ap in
                for i in 0..<ap.count { ap[i] += bp[i] }
            }
        }
    }

    /// a ← (a + b) + c.
    public static func addInPlace(_ a: inout Matrix<Float>, _ b: Matrix<Float>, _ c: Matrix<Float>) {
        addInPlace(&a, b)
        addInPlace(&a, c)
    }

    public static func summedOverVideos(_ x: Matrix<Float>, batch: Int, rows: Int) -> Matrix<Float> {
        let d = x.columns
        var out = zeros(rows, d)
        x.elements.withUnsafeBufferPointer { src in
            out.elements.withUnsafeMutableBufferPointer { dst in
                for b in 0..<batch {
                    let base = b * rows * d
                    for e in 0..<(rows * d) { dst[e] += src[base + e] }
                }
            }
        }
        return out
    }

    /// CE(softmax(x Aᵀ/τ), T), the logits one sgemm.
    public static func crossEntropy(_ x: Matrix<Float>, actions: Matrix<Float>, targets: Matrix<Float>, mask: [Bool]?,
                                    temperature: Double) -> Float {
        let probabilities = SoftmaxWithTemperature.forward(CLOTModel.logits(x, actions), temperature: Float(temperature))
        return SoftCrossEntropy.forward(probabilities: probabilities, targets: targets, mask: mask)
    }

    /// The loss, ∂A += (∂logits)ᵀ x and ∂x = ∂logits · A, one sgemm each.
    public static func crossEntropyBackward(_ x: Matrix<Float>, actions: Matrix<Float>, targets: Matrix<Float>, mask: [Bool]?,
                                            temperature: Double, actionGradient dA: inout Matrix<Float>)
        -> (loss: Float, input: Matrix<Float>) {
        let tau = Float(temperature)
        let probabilities = SoftmaxWithTemperature.forward(CLOTModel.logits(x, actions), temperature: tau)
        let loss = SoftCrossEntropy.forward(probabilities: probabilities, targets: targets, mask: mask)
        let dLogits = SoftCrossEntropy.backward(probabilities: probabilities, targets: targets, mask: mask, temperature: tau)
        return (loss, CLOTModel.backThroughLogits(dLogits, x, actions, actionGradient: &dA))
    }

    /// The code of the last (length, width, index rule) asked for, kept: a training run asks
    /// for one, the batch's T, every step, and one sine or cosine per entry is ~5% of a step.
    public static func memorySinusoid(frames: Int, dimension: Int, configuration: ModelConfiguration) -> Matrix<Float> {
        MemorySinusoidCache.positions(frames: frames, dimension: dimension, configuration: configuration)
    }
}
