import CLOTCore

extension Optimized {
    /// The frame encoder of ASOT and CLOT in Float32; the same API as `Reference.Encoder`,
    /// whose doc comment has the equations: F = rownorm(MLP(X)), MLP = Linear → ReLU → Drop → …
    /// → Linear, on raw features X, (B·T) × d_in → (B·T) × D; the dropout masks are drawn as
    /// Reference draws them.
    ///
    /// Every product is one sgemm (`Optimized.Linear`); the backward of the first layer skips
    /// ∂X (the raw features need no gradient), which saves the widest product of the pass.
    public enum Encoder {
        public struct Cache: Sendable {
            /// The input of each Linear, and the pre-activation of each hidden layer.
            var inputs: [Matrix<Float>]
            var preActivations: [Matrix<Float>]
            var unnormalised: Matrix<Float>
            /// Each hidden layer's dropout mask (nil: none).
            var dropoutMasks: [Matrix<Float>?]
        }

        /// F without dropout (inference, and the embeddings k-means clusters).
        public static func forward(_ x: Matrix<Float>, parameters layers: [ModelParameters<Float>.Dense]) -> (output: Matrix<Float>, cache: Cache) {
            var unused = MersenneTwister(seed: 0)
            return forward(x, parameters: layers, dropout: 0, generator: &unused)
        }

        /// F with dropout probability `dropout` after each hidden ReLU (0 draws nothing).
        public static func forward(_ x: Matrix<Float>, parameters layers: [ModelParameters<Float>.Dense], dropout: Double,
                                   generator: inout MersenneTwister) -> (output: Matrix<Float>, cache: Cache) {
            var h = x
            var inputs: [Matrix<Float>] = [], pre: [Matrix<Float>] = [], masks: [Matrix<Float>?] = []
            inputs.reserveCapacity(layers.count)
            for (index, layer) in layers.enumerated() {
                inputs.append(h)
                h = Linear.forward(h, parameters: Decoder.dense(layer))
                if index < layers.count - 1 {
                    pre.append(h)
                    let (dropped, mask) = Dropout.forward(ReLU.forward(h), probability: dropout, training: true, generator: &generator)
                    h = dropped
                    masks.append(mask)
                }
            }
            return (RowNormalize.forward(h), Cache(inputs: inputs, preActivations: pre, unnormalised: h, dropoutMasks: masks))
        }

        /// Gradients of every layer's weight and bias (the raw features need none).
        public static func backward(cache: Cache, parameters layers: [ModelParameters<Float>.Dense],
                                    outputGradient: Matrix<Float>) -> [ModelParameters<Float>.Dense] {
            var g = RowNormalize.backward(cache.unnormalised, outputGradient: outputGradient)
            var gradients: [ModelParameters<Float>.Dense] = []
            for index in layers.indices.reversed() {
                if index < layers.count - 1 {
                    if let mask = cache.dropoutMasks[index] { g = Dropout.backward(outputGradient: g, mask: mask) }
                    ReLU.backward(cache.preActivations[index], inPlace: &g)
                }
                if index == 0 {
                    gradients.append(weightGradients(cache.inputs[0], layer: layers[0], outputGradient: g))
                } else {
                    let step = Linear.backward(cache.inputs[index], parameters: Decoder.dense(layers[index]), outputGradient: g)
                    gradients.append(.init(weight: step.parameters.weight, bias: step.parameters.bias))
                    g = step.input
                }
            }
            return gradients.reversed()
        }

        /// ∂W = ∂Yᵀ X (one sgemm) and ∂b = Σ_rows ∂Y, without ∂X.
        static func weightGradients(_ x: Matrix<Float>, layer: ModelParameters<Float>.Dense,
                                    outputGradient dy: Matrix<Float>) -> ModelParameters<Float>.Dense {
            let outputs = layer.weight.rows, inputs = layer.weight.columns
            precondition(x.columns == inputs && dy.columns == outputs && dy.rows == x.rows, "shapes differ")
            var dw = Matrix<Float>.uninitialized(outputs, inputs)
            var db: [Float] = []
            x.elements.withUnsafeBufferPointer { xp in
                dy.elements.withUnsafeBufferPointer { gp in
                    dw.elements.withUnsafeMutableBufferPointer { dwp in
                        gemm(transposeA: true, m: outputs, n: inputs, k: x.rows, gp, lda: outputs, xp, ldb: inputs, dwp, ldc: inputs)
                    }
                    db = columnSums(gp, rows: dy.rows, columns: outputs)
                }
            }
            return .init(weight: dw, bias: db)
        }
    }
}
