import CLOTCore

extension Optimized {
    /// Optimized's arithmetic for the model's shared wiring (`FrameEncoder`, `SegmentDecoder`, `ModelForward`):
    /// each requirement calls the Optimized layer of the same name (Float32, every product on
    /// the fixed-order sgemm); the sums run over raw buffers. The wiring is inlinable, so it is
    /// specialised to these functions here.
    public enum Arithmetic: LayerArithmetic {
        public typealias Scalar = Float

        public static func zeros(_ rows: Int, _ columns: Int) -> Matrix<Float> { CLOTModel.zeros(rows, columns) }

        public static func tiled(_ x: Matrix<Float>, _ times: Int) -> Matrix<Float> {
            var elements: [Float] = []
            elements.reserveCapacity(x.elements.count * times)
            for _ in 0..<times { elements.append(contentsOf: x.elements) }
            return Matrix(rows: x.rows * times, columns: x.columns, elements: elements)
        }

        public static func add(_ a: Matrix<Float>, _ b: Matrix<Float>) -> Matrix<Float> {
            var out = a
            addInPlace(&out, b)
            return out
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

        public static func linear(_ x: Matrix<Float>, _ layer: ModelParameters<Float>.Dense) -> Matrix<Float> {
            Linear.forward(x, parameters: layer)
        }

        public static func linearBackward(_ x: Matrix<Float>, _ layer: ModelParameters<Float>.Dense, outputGradient: Matrix<Float>)
            -> (input: Matrix<Float>, parameters: ModelParameters<Float>.Dense) {
            Linear.backward(x, parameters: layer, outputGradient: outputGradient)
        }

        public static func linearParameterGradients(_ x: Matrix<Float>, _ layer: ModelParameters<Float>.Dense,
                                                    outputGradient: Matrix<Float>) -> ModelParameters<Float>.Dense {
            Linear.parameterGradients(x, parameters: layer, outputGradient: outputGradient)
        }

        public static func relu(_ x: Matrix<Float>) -> Matrix<Float> { ReLU.forward(x) }

        public static func reluBackward(_ x: Matrix<Float>, outputGradient g: inout Matrix<Float>) {
            ReLU.backward(x, inPlace: &g)
        }

        public static func dropout(_ x: Matrix<Float>, probability p: Double,
                                   generator: inout MersenneTwister) -> (output: Matrix<Float>, mask: Matrix<Float>?) {
            Dropout.forward(x, probability: p, training: true, generator: &generator)
        }

        public static func dropoutBackward(_ g: Matrix<Float>, mask: Matrix<Float>?) -> Matrix<Float> {
            Dropout.backward(outputGradient: g, mask: mask)
        }

        public static func layerNorm(_ x: Matrix<Float>, _ n: ModelParameters<Float>.Norm) -> (output: Matrix<Float>, cache: LayerNorm.Cache) {
            LayerNorm.forward(x, parameters: n)
        }

        public static func layerNormBackward(_ cache: LayerNorm.Cache, _ n: ModelParameters<Float>.Norm, outputGradient: Matrix<Float>)
            -> (input: Matrix<Float>, parameters: ModelParameters<Float>.Norm) {
            LayerNorm.backward(cache: cache, parameters: n, outputGradient: outputGradient)
        }

        public static func attention(query: Matrix<Float>, key: Matrix<Float>, value: Matrix<Float>,
                                     _ a: ModelParameters<Float>.Attention, heads: Int, batch: Int,
                                     keyPaddingMask: [Bool]?, causal: Bool, dropout p: Double,
                                     generator: inout MersenneTwister) -> (output: Matrix<Float>, cache: MultiHeadAttention.Cache) {
            MultiHeadAttention.forward(query: query, key: key, value: value, parameters: a, heads: heads, batch: batch,
                                       keyPaddingMask: keyPaddingMask, causal: causal, dropout: p, generator: &generator)
        }

        public static func attentionBackward(_ cache: MultiHeadAttention.Cache, _ a: ModelParameters<Float>.Attention,
                                             outputGradient: Matrix<Float>)
            -> (query: Matrix<Float>, key: Matrix<Float>, value: Matrix<Float>, parameters: ModelParameters<Float>.Attention) {
            let g = MultiHeadAttention.backward(cache: cache, parameters: a, outputGradient: outputGradient)
            return (g.query, g.key, g.value, g.parameters)
        }

        public static func rowNormalize(_ x: Matrix<Float>) -> Matrix<Float> { RowNormalize.forward(x) }

        public static func rowNormalizeBackward(_ x: Matrix<Float>, outputGradient: Matrix<Float>) -> Matrix<Float> {
            RowNormalize.backward(x, outputGradient: outputGradient)
        }

        public static func featureDispatching(_ features: Matrix<Float>, actions: Matrix<Float>, parameters: DispatchParameters<Float>,
                                              batch: Int, frameMask: [Bool]?, settings: DispatchSettings,
                                              fixedMask: [Int]?) -> (output: Matrix<Float>, cache: DispatchCache<Float>) {
            FeatureDispatching.forward(features, actions: actions, parameters: parameters, batch: batch, frameMask: frameMask,
                                       settings: settings, fixedMask: fixedMask)
        }

        public static func refinement(features: Matrix<Float>, segments: Matrix<Float>, temperature: Double,
                                      batch: Int) -> (output: Matrix<Float>, cache: RefinementCache<Float>) {
            CrossAttentionRefinement.forward(features: features, segments: segments, temperature: Float(temperature), batch: batch)
        }

        public static func refinementBackward(cache: RefinementCache<Float>, outputGradient: Matrix<Float>) -> RefinementGradients<Float> {
            CrossAttentionRefinement.backward(cache: cache, outputGradient: outputGradient)
        }

        public static func featureDispatchingBackward(cache: DispatchCache<Float>, outputGradient: Matrix<Float>) -> DispatchGradients<Float> {
            FeatureDispatching.backward(cache: cache, outputGradient: outputGradient)
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
}
