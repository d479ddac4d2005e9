/// The learnable tensors of a CLOT model, in one generic container shared by both backends
/// (Reference uses Double, Optimized Float), so that checkpoints, the optimiser and the
/// agreement tests see the same structure. Layouts follow torch: Linear weights are
/// out × in, attention in-projections are packed (3D × D).
public struct ModelParameters<Scalar: BinaryFloatingPoint & Codable & Sendable>: Sendable, Equatable, Codable {
    public struct Dense: Sendable, Equatable, Codable {
        public var weight: Matrix<Scalar>
        public var bias: [Scalar]
        public init(weight: Matrix<Scalar>, bias: [Scalar]) {
            precondition(bias.count == weight.rows, "bias needs \(weight.rows) entries, got \(bias.count)")
            self.weight = weight; self.bias = bias
        }
    }
    public struct Norm: Sendable, Equatable, Codable {
        public var gamma: [Scalar]
        public var beta: [Scalar]
        public init(gamma: [Scalar], beta: [Scalar]) {
            precondition(gamma.count == beta.count, "γ and β differ in length")
            self.gamma = gamma; self.beta = beta
        }
    }
    public struct Attention: Sendable, Equatable, Codable {
        public var inWeight: Matrix<Scalar>
        public var inBias: [Scalar]
        public var outWeight: Matrix<Scalar>
        public var outBias: [Scalar]
        public init(inWeight: Matrix<Scalar>, inBias: [Scalar], outWeight: Matrix<Scalar>, outBias: [Scalar]) {
            let d = outWeight.rows
            precondition(outWeight.columns == d && inWeight.rows == 3 * d && inWeight.columns == d
                         && inBias.count == 3 * d && outBias.count == d, "attention parameters of inconsistent shapes")
            self.inWeight = inWeight; self.inBias = inBias; self.outWeight = outWeight; self.outBias = outBias
        }
    }
    public struct DecoderLayer: Sendable, Equatable, Codable {
        public var selfAttention: Attention
        public var crossAttention: Attention
        public var feedForward1: Dense
        public var feedForward2: Dense
        public var norm1: Norm, norm2: Norm, norm3: Norm
        public init(selfAttention: Attention, crossAttention: Attention, feedForward1: Dense, feedForward2: Dense,
                    norm1: Norm, norm2: Norm, norm3: Norm) {
            self.selfAttention = selfAttention; self.crossAttention = crossAttention
            self.feedForward1 = feedForward1; self.feedForward2 = feedForward2
            self.norm1 = norm1; self.norm2 = norm2; self.norm3 = norm3
        }
    }

    /// Encoder MLP layers (ReLU between them).
    public var encoder: [Dense]
    /// Feature dispatching's α and β.
    public var dispatchAlpha: Scalar
    public var dispatchBeta: Scalar
    /// Action embeddings A (K × D).
    public var actions: Matrix<Scalar>
    /// Learnable query positions (n_seg × D).
    public var queryPositions: Matrix<Scalar>
    /// The decoder's learnable tgt (n_seg × D), or 0 × D when tgt = 0 (choice `decoder-target`).
    public var target: Matrix<Scalar>
    /// The learnable memory position table (L × D), or 0 × D with the sinusoid (choice
    /// `memory-positions`).
    public var memoryPositions: Matrix<Scalar>
    public var decoder: [DecoderLayer]
    public var finalNorm: Norm

    public init(encoder: [Dense], dispatchAlpha: Scalar, dispatchBeta: Scalar, actions: Matrix<Scalar>,
                queryPositions: Matrix<Scalar>, target: Matrix<Scalar>, memoryPositions: Matrix<Scalar>,
                decoder: [DecoderLayer], finalNorm: Norm) {
        self.encoder = encoder; self.dispatchAlpha = dispatchAlpha; self.dispatchBeta = dispatchBeta
        self.actions = actions; self.queryPositions = queryPositions; self.target = target
        self.memoryPositions = memoryPositions; self.decoder = decoder; self.finalNorm = finalNorm
    }

    /// Every tensor as a flat array, in a fixed order (for the optimiser and checkpoints).
    public var tensors: [[Scalar]] {
        get {
            var out: [[Scalar]] = []
            for d in encoder { out += [d.weight.elements, d.bias] }
            out += [[dispatchAlpha], [dispatchBeta], actions.elements, queryPositions.elements, target.elements,
                    memoryPositions.elements]
            for l in decoder {
                for a in [l.selfAttention, l.crossAttention] { out += [a.inWeight.elements, a.inBias, a.outWeight.elements, a.outBias] }
                out += [l.feedForward1.weight.elements, l.feedForward1.bias, l.feedForward2.weight.elements, l.feedForward2.bias]
                for n in [l.norm1, l.norm2, l.norm3] { out += [n.gamma, n.beta] }
            }
            out += [finalNorm.gamma, finalNorm.beta]
            return out
        }
        set {
            var it = newValue.makeIterator()
            func next() -> [Scalar] { it.next()! }
            for i in encoder.indices { encoder[i].weight.elements = next(); encoder[i].bias = next() }
            dispatchAlpha = next()[0]
            dispatchBeta = next()[0]
            actions.elements = next()
            queryPositions.elements = next()
            target.elements = next()
            memoryPositions.elements = next()
            func attention(_ a: inout Attention) {
                a.inWeight.elements = next(); a.inBias = next(); a.outWeight.elements = next(); a.outBias = next()
            }
            for i in decoder.indices {
                attention(&decoder[i].selfAttention)
                attention(&decoder[i].crossAttention)
                decoder[i].feedForward1.weight.elements = next(); decoder[i].feedForward1.bias = next()
                decoder[i].feedForward2.weight.elements = next(); decoder[i].feedForward2.bias = next()
                decoder[i].norm1.gamma = next(); decoder[i].norm1.beta = next()
                decoder[i].norm2.gamma = next(); decoder[i].norm2.beta = next()
                decoder[i].norm3.gamma = next(); decoder[i].norm3.beta = next()
            }
            finalNorm.gamma = next(); finalNorm.beta = next()
        }
    }

    /// The same parameters with every tensor converted (Double ↔ Float).
    public func converted<T: BinaryFloatingPoint & Codable & Sendable>(to: T.Type = T.self) -> ModelParameters<T> {
        var out = ModelParameters<T>.zeros(like: self)
        out.tensors = tensors.map { $0.map { T($0) } }
        return out
    }

    /// Zeros of the same shapes as `other`.
    @inlinable
    public static func zeros<S>(like other: ModelParameters<S>) -> ModelParameters {
        func m(_ x: Matrix<S>) -> Matrix<Scalar> { Matrix(rows: x.rows, columns: x.columns, repeating: 0) }
        func v(_ x: [S]) -> [Scalar] { Array(repeating: 0, count: x.count) }
        func a(_ x: ModelParameters<S>.Attention) -> Attention {
            Attention(inWeight: m(x.inWeight), inBias: v(x.inBias), outWeight: m(x.outWeight), outBias: v(x.outBias))
        }
        func n(_ x: ModelParameters<S>.Norm) -> Norm { Norm(gamma: v(x.gamma), beta: v(x.beta)) }
        func d(_ x: ModelParameters<S>.Dense) -> Dense { Dense(weight: m(x.weight), bias: v(x.bias)) }
        return ModelParameters(
            encoder: other.encoder.map(d), dispatchAlpha: 0, dispatchBeta: 0, actions: m(other.actions),
            queryPositions: m(other.queryPositions), target: m(other.target), memoryPositions: m(other.memoryPositions),
            decoder: other.decoder.map { DecoderLayer(selfAttention: a($0.selfAttention), crossAttention: a($0.crossAttention),
                                                      feedForward1: d($0.feedForward1), feedForward2: d($0.feedForward2),
                                                      norm1: n($0.norm1), norm2: n($0.norm2), norm3: n($0.norm3)) },
            finalNorm: n(other.finalNorm))
    }
}

extension ModelParameters {
    /// Initial parameters as the official modules initialise them: each MLP Linear as torch's
    /// default (weight and bias uniform in ±1/√fan_in); decoder weights of rank ≥ 2 xavier-
    /// uniform (the released `transformer.py` `_reset_parameters`, as DETR and FUTR), attention
    /// biases 0 (`nn.MultiheadAttention` zeroes them), LayerNorms γ = 1, β = 0; the FFN biases
    /// keep `nn.Linear`'s default uniform(±1/√fan_in) — ±1/√D for linear1, ±1/√(FFN width) for
    /// linear2 — drawn once and the same in every layer, because `_get_clones` deep-copies one
    /// layer and the reset touches only tensors of rank ≥ 2; query positions N(0, 1)
    /// (`nn.Embedding`); α = 1, β = 0; A random unit rows (replaced by k-means before
    /// training). With the choices' learnable alternatives: tgt N(0, 1) like the query
    /// positions (an `nn.Embedding`), and the memory position table xavier-uniform as FUTR
    /// initialises its (1, L, D) `pos_embedding` (fan_in L·D, fan_out D: bound √(6/((L + 1)·D))).
    /// All draws from `generator`, the alternatives' after everything else, so the defaults'
    /// draws do not depend on them.
    public static func initial(_ c: ModelConfiguration, using g: inout MersenneTwister) -> ModelParameters {
        func uniform(_ bound: Double) -> Scalar { Scalar((2 * g.uniform() - 1) * bound) }
        var encoder: [Dense] = []
        for (fanIn, fanOut) in zip(c.layerSizes.dropLast(), c.layerSizes.dropFirst()) {
            let bound = 1 / Double(fanIn).squareRoot()
            let weight = Matrix<Scalar>(rows: fanOut, columns: fanIn, elements: (0..<(fanIn * fanOut)).map { _ in uniform(bound) })
            encoder.append(Dense(weight: weight, bias: (0..<fanOut).map { _ in uniform(bound) }))
        }
        let d = c.embeddingWidth, k = c.clusters, s = c.segments, f = c.feedForwardWidth
        func xavier(_ rows: Int, _ columns: Int) -> Matrix<Scalar> {
            let bound = (6 / Double(rows + columns)).squareRoot()
            return Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in uniform(bound) })
        }
        func zeros(_ n: Int) -> [Scalar] { Array(repeating: 0, count: n) }
        func norm() -> Norm { Norm(gamma: Array(repeating: 1, count: d), beta: zeros(d)) }
        func attention() -> Attention { Attention(inWeight: xavier(3 * d, d), inBias: zeros(3 * d), outWeight: xavier(d, d), outBias: zeros(d)) }
        // The FFN biases of the one layer that is cloned: drawn once, shared by every layer.
        let bias1 = c.useDecoder ? (0..<f).map { _ in uniform(1 / Double(d).squareRoot()) } : []
        let bias2 = c.useDecoder ? (0..<d).map { _ in uniform(1 / Double(f).squareRoot()) } : []
        let layers = c.useDecoder ? (0..<c.decoderLayers).map { _ in
            DecoderLayer(selfAttention: attention(), crossAttention: attention(),
                         feedForward1: Dense(weight: xavier(f, d), bias: bias1),
                         feedForward2: Dense(weight: xavier(d, f), bias: bias2),
                         norm1: norm(), norm2: norm(), norm3: norm())
        } : []
        var actions = Matrix<Scalar>(rows: k, columns: d, repeating: 0)
        for i in 0..<k {
            let row = (0..<d).map { _ in g.gaussian() }
            let length = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in 0..<d { actions[i, j] = Scalar(row[j] / length) }
        }
        let positions = Matrix<Scalar>(rows: c.useDecoder ? s : 0, columns: d,
                                       elements: (0..<((c.useDecoder ? s : 0) * d)).map { _ in Scalar(g.gaussian()) })
        let target = Matrix<Scalar>(rows: c.targetRows, columns: d,
                                    elements: (0..<(c.targetRows * d)).map { _ in Scalar(g.gaussian()) })
        let tableBound = (6 / Double((c.memoryPositionRows + 1) * d)).squareRoot()
        let table = Matrix<Scalar>(rows: c.memoryPositionRows, columns: d,
                                   elements: (0..<(c.memoryPositionRows * d)).map { _ in uniform(tableBound) })
        return ModelParameters(encoder: encoder, dispatchAlpha: 1, dispatchBeta: 0, actions: actions,
                               queryPositions: positions, target: target, memoryPositions: table, decoder: layers, finalNorm: norm())
    }
}
