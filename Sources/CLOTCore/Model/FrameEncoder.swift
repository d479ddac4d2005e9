/// The frame encoder of ASOT and CLOT (the ASOT code's MLP; CLOT §3.1, Documentation/Method.md §2),
/// wired once for both backends, which supply the arithmetic (`LayerArithmetic`):
///
///     F = rownorm(MLP(X)),   MLP = Linear → ReLU → Drop → … → Linear
///
/// on raw features X, (B·T) × d_in → (B·T) × D. Dropout after each hidden ReLU is the choice
/// `encoder-dropout` (default 0, ASOT's MLP; supplement Table 6's general row reads 0.5); it is
/// drawn only in training, layer by layer from the generator. `Reference.Encoder` and
/// `Optimized.Encoder` are this type.
public enum FrameEncoder<Arithmetic: LayerArithmetic> {
    public typealias Scalar = Arithmetic.Scalar

    public struct Cache: Sendable {
        /// The input of each Linear, and the pre-activation of each hidden layer.
        public var inputs: [Matrix<Scalar>]
        public var preActivations: [Matrix<Scalar>]
        public var unnormalised: Matrix<Scalar>
        /// Each hidden layer's dropout mask (nil: none).
        public var dropoutMasks: [Matrix<Scalar>?]

        @inlinable
        public init(inputs: [Matrix<Scalar>], preActivations: [Matrix<Scalar>], unnormalised: Matrix<Scalar>,
                    dropoutMasks: [Matrix<Scalar>?]) {
            self.inputs = inputs
            self.preActivations = preActivations
            self.unnormalised = unnormalised
            self.dropoutMasks = dropoutMasks
        }
    }

    /// F without dropout (inference, and the embeddings k-means clusters).
    /// - Postconditions: unit rows (rows of zeros stay zero); draws nothing.
    @inlinable
    public static func forward(_ x: Matrix<Scalar>,
                               parameters layers: [ModelParameters<Scalar>.Dense]) -> (output: Matrix<Scalar>, cache: Cache) {
        var unused = MersenneTwister(seed: 0)
        return forward(x, parameters: layers, dropout: 0, generator: &unused)
    }

    /// F with dropout probability `dropout` after each hidden ReLU.
    /// - Postconditions: output (B·T) × D with unit rows; one mask per hidden layer drawn from
    ///   `generator` in layer order when `dropout` > 0.
    /// - Edge Cases: `dropout` = 0 draws nothing; a single layer has no ReLU and no dropout.
    @inlinable
    public static func forward(_ x: Matrix<Scalar>, parameters layers: [ModelParameters<Scalar>.Dense], dropout: Double,
                               generator: inout MersenneTwister) -> (output: Matrix<Scalar>, cache: Cache) {
        var h = x
        var inputs: [Matrix<Scalar>] = [], pre: [Matrix<Scalar>] = [], masks: [Matrix<Scalar>?] = []
        inputs.reserveCapacity(layers.count)
        for (index, layer) in layers.enumerated() {
            inputs.append(h)
            h = Arithmetic.linear(h, layer)
            if index < layers.count - 1 {
                pre.append(h)
                let (dropped, mask) = Arithmetic.dropout(Arithmetic.relu(h), probability: dropout, generator: &generator)
                h = dropped
                masks.append(mask)
            }
        }
        return (Arithmetic.rowNormalize(h), Cache(inputs: inputs, preActivations: pre, unnormalised: h, dropoutMasks: masks))
    }

    /// Gradients of every layer's weight and bias; the raw features need none, so the first
    /// layer's ∂X is not computed.
    /// - Postconditions: one gradient per layer, in layer order, shaped as the layer.
    @inlinable
    public static func backward(cache: Cache, parameters layers: [ModelParameters<Scalar>.Dense],
                                outputGradient: Matrix<Scalar>) -> [ModelParameters<Scalar>.Dense] {
        var g = Arithmetic.rowNormalizeBackward(cache.unnormalised, outputGradient: outputGradient)
        var gradients: [ModelParameters<Scalar>.Dense] = []
        for index in layers.indices.reversed() {
            if index < layers.count - 1 {
                g = Arithmetic.dropoutBackward(g, mask: cache.dropoutMasks[index])
                Arithmetic.reluBackward(cache.preActivations[index], outputGradient: &g)
            }
            if index == 0 {
                gradients.append(Arithmetic.linearParameterGradients(cache.inputs[0], layers[0], outputGradient: g))
            } else {
                let step = Arithmetic.linearBackward(cache.inputs[index], layers[index], outputGradient: g)
                gradients.append(step.parameters)
                g = step.input
            }
        }
        return gradients.reversed()
    }
}
