import CLOTCore

extension Reference {
    /// Reference's arithmetic for the model's shared wiring (`FrameEncoder`, `SegmentDecoder`, `ModelForward`):
    /// each requirement calls the Reference layer whose doc comment has its equation, in Double
    /// with plain loops. The sums here are written out element by element.
    public enum Arithmetic: LayerArithmetic {
        public typealias Scalar = Double

        public static func zeros(_ rows: Int, _ columns: Int) -> Matrix<Double> { .zeros(rows, columns) }

        public static func tiled(_ x: Matrix<Double>, _ times: Int) -> Matrix<Double> {
            Matrix(rows: x.rows * times, columns: x.columns, elements: Array([[Double]](repeating: x.elements, count: times).joined()))
        }

        public static func add(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
            var out = a
            addInPlace(&out, b)
            return out
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

        public static func linear(_ x: Matrix<Double>, _ layer: ModelParameters<Double>.Dense) -> Matrix<Double> {
            Linear.forward(x, parameters: layer)
        }

        public static func linearBackward(_ x: Matrix<Double>, _ layer: ModelParameters<Double>.Dense, outputGradient: Matrix<Double>)
            -> (input: Matrix<Double>, parameters: ModelParameters<Double>.Dense) {
            Linear.backward(x, parameters: layer, outputGradient: outputGradient)
        }

        public static func linearParameterGradients(_ x: Matrix<Double>, _ layer: ModelParameters<Double>.Dense,
                                                    outputGradient: Matrix<Double>) -> ModelParameters<Double>.Dense {
            linearBackward(x, layer, outputGradient: outputGradient).parameters
        }

        public static func relu(_ x: Matrix<Double>) -> Matrix<Double> { ReLU.forward(x) }

        public static func reluBackward(_ x: Matrix<Double>, outputGradient g: inout Matrix<Double>) {
            g = ReLU.backward(x, outputGradient: g)
        }

        public static func dropout(_ x: Matrix<Double>, probability p: Double,
                                   generator: inout MersenneTwister) -> (output: Matrix<Double>, mask: Matrix<Double>?) {
            Dropout.forward(x, probability: p, training: true, generator: &generator)
        }

        public static func dropoutBackward(_ g: Matrix<Double>, mask: Matrix<Double>?) -> Matrix<Double> {
            Dropout.backward(outputGradient: g, mask: mask)
        }

        public static func layerNorm(_ x: Matrix<Double>, _ n: ModelParameters<Double>.Norm) -> (output: Matrix<Double>, cache: LayerNorm.Cache) {
            LayerNorm.forward(x, parameters: n)
        }

        public static func layerNormBackward(_ cache: LayerNorm.Cache, _ n: ModelParameters<Double>.Norm, outputGradient: Matrix<Double>)
            -> (input: Matrix<Double>, parameters: ModelParameters<Double>.Norm) {
            LayerNorm.backward(cache: cache, parameters: n, outputGradient: outputGradient)
        }

        public static func attention(query: Matrix<Double>, key: Matrix<Double>, value: Matrix<Double>,
                                     _ a: ModelParameters<Double>.Attention, heads: Int, batch: Int,
                                     keyPaddingMask: [Bool]?, causal: Bool, dropout p: Double,
                                     generator: inout MersenneTwister) -> (output: Matrix<Double>, cache: MultiHeadAttention.Cache) {
            MultiHeadAttention.forward(query: query, key: key, value: value, parameters: a, heads: heads, batch: batch,
                                       keyPaddingMask: keyPaddingMask, causal: causal, dropout: p, generator: &generator)
        }

        public static func attentionBackward(_ cache: MultiHeadAttention.Cache, _ a: ModelParameters<Double>.Attention,
                                             outputGradient: Matrix<Double>)
            -> (query: Matrix<Double>, key: Matrix<Double>, value: Matrix<Double>, parameters: ModelParameters<Double>.Attention) {
            let g = MultiHeadAttention.backward(cache: cache, parameters: a, outputGradient: outputGradient)
            return (g.query, g.key, g.value, g.parameters)
        }

        public static func rowNormalize(_ x: Matrix<Double>) -> Matrix<Double> { RowNormalize.forward(x) }

        public static func rowNormalizeBackward(_ x: Matrix<Double>, outputGradient: Matrix<Double>) -> Matrix<Double> {
            RowNormalize.backward(x, outputGradient: outputGradient)
        }

        public static func featureDispatching(_ features: Matrix<Double>, actions: Matrix<Double>, parameters: DispatchParameters<Double>,
                                              batch: Int, frameMask: [Bool]?, settings: DispatchSettings,
                                              fixedMask: [Int]?) -> (output: Matrix<Double>, cache: DispatchCache<Double>) {
            FeatureDispatching.forward(features, actions: actions, parameters: parameters, batch: batch, frameMask: frameMask,
                                       settings: settings, fixedMask: fixedMask)
        }

        public static func refinement(features: Matrix<Double>, segments: Matrix<Double>, temperature: Double,
                                      batch: Int) -> (output: Matrix<Double>, cache: RefinementCache<Double>) {
            CrossAttentionRefinement.forward(features: features, segments: segments, temperature: temperature, batch: batch)
        }

        public static func refinementBackward(cache: RefinementCache<Double>, outputGradient: Matrix<Double>) -> RefinementGradients<Double> {
            CrossAttentionRefinement.backward(cache: cache, outputGradient: outputGradient)
        }

        public static func featureDispatchingBackward(cache: DispatchCache<Double>, outputGradient: Matrix<Double>) -> DispatchGradients<Double> {
            FeatureDispatching.backward(cache: cache, outputGradient: outputGradient)
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
}
