import CLOTCore

extension Reference {
    /// The frame encoder of ASOT and CLOT (CLOT Eq. 1, METHOD.md §2):
    ///
    ///     F = rownorm(MLP(X)),   MLP = Linear → ReLU → … → Linear
    ///
    /// on raw features X, (B·T) × d_in → (B·T) × D.
    public enum Encoder {
        public struct Cache: Sendable {
            /// The input of each Linear, and the pre-activation of each hidden layer.
            var inputs: [Matrix<Double>]
            var preActivations: [Matrix<Double>]
            var unnormalised: Matrix<Double>
        }

        public static func forward(_ x: Matrix<Double>, parameters layers: [ModelParameters<Double>.Dense]) -> (output: Matrix<Double>, cache: Cache) {
            var h = x
            var inputs: [Matrix<Double>] = [], pre: [Matrix<Double>] = []
            for (index, layer) in layers.enumerated() {
                inputs.append(h)
                h = Linear.forward(h, parameters: Decoder.dense(layer))
                if index < layers.count - 1 {
                    pre.append(h)
                    h = ReLU.forward(h)
                }
            }
            return (RowNormalize.forward(h), Cache(inputs: inputs, preActivations: pre, unnormalised: h))
        }

        /// Gradients of every layer's weight and bias (the raw features need none).
        public static func backward(cache: Cache, parameters layers: [ModelParameters<Double>.Dense],
                                    outputGradient: Matrix<Double>) -> [ModelParameters<Double>.Dense] {
            var g = RowNormalize.backward(cache.unnormalised, outputGradient: outputGradient)
            var gradients: [ModelParameters<Double>.Dense] = []
            for index in layers.indices.reversed() {
                if index < layers.count - 1 {
                    g = ReLU.backward(cache.preActivations[index], outputGradient: g)
                }
                let step = Linear.backward(cache.inputs[index], parameters: Decoder.dense(layers[index]), outputGradient: g)
                gradients.append(.init(weight: step.parameters.weight, bias: step.parameters.bias))
                g = step.input
            }
            return gradients.reversed()
        }
    }
}
