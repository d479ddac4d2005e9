import CLOTCore

extension Reference {
    /// The frame encoder of ASOT and CLOT (CLOT Eq. 1, METHOD.md §2):
    ///
    ///     F = rownorm(MLP(X)),   MLP = Linear → ReLU → Drop → … → Linear
    ///
    /// on raw features X, (B·T) × d_in → (B·T) × D. Dropout after each hidden ReLU is the
    /// choice `encoder-dropout` (default 0, ASOT's MLP; supplement Table 6's general row reads
    /// 0.5); it is drawn only in training.
    public enum Encoder {
        public struct Cache: Sendable {
            /// The input of each Linear, and the pre-activation of each hidden layer.
            var inputs: [Matrix<Double>]
            var preActivations: [Matrix<Double>]
            var unnormalised: Matrix<Double>
            /// Each hidden layer's dropout mask (nil: none).
            var dropoutMasks: [Matrix<Double>?]
        }

        /// F without dropout (inference, and the embeddings k-means clusters).
        public static func forward(_ x: Matrix<Double>, parameters layers: [ModelParameters<Double>.Dense]) -> (output: Matrix<Double>, cache: Cache) {
            var unused = MersenneTwister(seed: 0)
            return forward(x, parameters: layers, dropout: 0, generator: &unused)
        }

        /// F with dropout probability `dropout` after each hidden ReLU (0 draws nothing); the
        /// masks are drawn layer by layer from `generator`.
        public static func forward(_ x: Matrix<Double>, parameters layers: [ModelParameters<Double>.Dense], dropout: Double,
                                   generator: inout MersenneTwister) -> (output: Matrix<Double>, cache: Cache) {
            var h = x
            var inputs: [Matrix<Double>] = [], pre: [Matrix<Double>] = [], masks: [Matrix<Double>?] = []
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
        public static func backward(cache: Cache, parameters layers: [ModelParameters<Double>.Dense],
                                    outputGradient: Matrix<Double>) -> [ModelParameters<Double>.Dense] {
            var g = RowNormalize.backward(cache.unnormalised, outputGradient: outputGradient)
            var gradients: [ModelParameters<Double>.Dense] = []
            for index in layers.indices.reversed() {
                if index < layers.count - 1 {
                    g = ReLU.backward(cache.preActivations[index], outputGradient: Dropout.backward(outputGradient: g, mask: cache.dropoutMasks[index]))
                }
                let step = Linear.backward(cache.inputs[index], parameters: Decoder.dense(layers[index]), outputGradient: g)
                gradients.append(.init(weight: step.parameters.weight, bias: step.parameters.bias))
                g = step.input
            }
            return gradients.reversed()
        }
    }
}
