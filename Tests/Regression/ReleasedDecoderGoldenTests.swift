import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// The decoder against the released `transformer.py` run by torch: `Transformer` as
/// `build_transformer` builds it (post-norm `TransformerDecoderLayer`s, final LayerNorm,
/// intermediate outputs, of which CLOT uses the last), dropout 0, called as CLOT calls it
/// (memory = the frame features, `mask` = the key padding mask, True = ignore), with tgt = 0,
/// learnable query positions and the released sinusoid table as memory positions. Both the
/// parallel form and the causal one (`tgt_mask` upper triangle), on the same weights, one
/// video padded. Every weight's gradient, the memory's and the query positions'.
@Suite("Released CLOT decoder (transformer.py) against torch")
struct ReleasedDecoderGoldenTests {
    static let golden = ReleasedGolden.shared

    enum Form: String, CaseIterable, Sendable { case parallel, causal }

    static func configuration(_ c: ReleasedGolden.DecoderCase, _ form: Form) -> ModelConfiguration {
        var m = ModelConfiguration()
        m.layerSizes = [c.D, c.D]
        m.heads = c.heads
        m.decoderLayers = c.layers
        m.segmentOffset = c.segments - m.clusters
        m.autoregressiveDecoder = form == .causal
        m.choices.ffnWidth = .fixed(c.ffn_width)
        return m
    }

    /// Parameters with the case's decoder weights and query positions (the rest unused).
    static func parameters(_ c: ReleasedGolden.DecoderCase) -> ModelParameters<Double> {
        let (layers, finalNorm) = ReleasedGolden.decoder(c.weights, layers: c.layers)
        return ModelParameters(encoder: [], dispatchAlpha: 1, dispatchBeta: 0, actions: .zeros(1, c.D),
                               queryPositions: c.query_pos.input.matrix, target: .zeros(0, c.D), memoryPositions: .zeros(0, c.D),
                               decoder: layers, finalNorm: finalNorm)
    }

    static func outputs(_ c: ReleasedGolden.DecoderCase, _ form: Form, float32: Bool) -> ReleasedGolden.DecoderCase.Outputs {
        let forms = float32 ? c.float32 : c.float64
        return form == .parallel ? forms.parallel : forms.causal
    }

    static var arguments: [Form] { golden == nil ? [] : Form.allCases }

    @Test("Reference = TransformerDecoder in float64: output and every gradient", arguments: arguments)
    func reference(form: Form) throws {
        let c = try #require(Self.golden?.decoder.first)
        let p = Self.parameters(c), torch = Self.outputs(c, form, float32: false)
        var generator = MersenneTwister(seed: 0)
        let (out, cache) = Reference.Decoder.forward(memory: c.memory.input.matrix, mask: frameMask(real: c.real_frames, frames: c.T),
                                                     batch: c.B, parameters: p, configuration: Self.configuration(c, form),
                                                     generator: &generator)
        let grads = Reference.Decoder.backward(cache: cache, parameters: p, configuration: Self.configuration(c, form),
                                               outputGradient: c.G.input.matrix)
        let tol = Tolerance.Released.double
        expectAgrees("output", out.elements, torch.output.values, tolerance: tol)
        expectAgrees("d memory", grads.memory.elements, torch.d_memory.values, tolerance: tol)
        expectAgrees("d query_pos", grads.queryPositions.elements, torch.d_query_pos.values, tolerance: tol)
        expectAgrees("d", ReleasedGolden.named(grads.layers, finalNorm: grads.finalNorm), torch.d_weights, tolerance: tol)
    }

    /// Measured against torch float32: output ≤ 3e-7, gradients ≤ 1.4e-6 (scaled; the largest is
    /// the first layer's norm3 γ, whose gradient passes back through the second layer's three
    /// LayerNorms and the final one).
    @Test("Optimized = TransformerDecoder in float32: output and every gradient", arguments: arguments)
    func optimized(form: Form) throws {
        let c = try #require(Self.golden?.decoder.first)
        let p = Self.parameters(c).converted(to: Float.self), torch = Self.outputs(c, form, float32: true)
        var generator = MersenneTwister(seed: 0)
        let (out, cache) = Optimized.Decoder.forward(memory: c.memory.input.matrix.float32, mask: frameMask(real: c.real_frames, frames: c.T),
                                                     batch: c.B, parameters: p, configuration: Self.configuration(c, form),
                                                     generator: &generator)
        let grads = Optimized.Decoder.backward(cache: cache, parameters: p, configuration: Self.configuration(c, form),
                                               outputGradient: c.G.input.matrix.float32)
        let tol = Tolerance.Released.float32
        expectAgrees("output", out.elements, torch.output.values, tolerance: tol)
        expectAgrees("d memory", grads.memory.elements, torch.d_memory.values, tolerance: tol)
        expectAgrees("d query_pos", grads.queryPositions.elements, torch.d_query_pos.values, tolerance: tol)
        expectAgrees("d", ReleasedGolden.named(grads.layers, finalNorm: grads.finalNorm), torch.d_weights, tolerance: tol)
    }

    /// The memory positions enter the keys and the values (`value=self.with_pos_embed(memory,
    /// pos)`), so torch's gradient of the position table is the memory's gradient summed over
    /// the videos, padded frames giving 0; ours, matched above to d_memory, is therefore also
    /// the positions' gradient (what a learnable memory-position table would receive).
    @Test("positions reach keys and values alike: ∂pos = Σ_videos ∂memory, padding 0", arguments: arguments)
    func positionsGradient(form: Form) throws {
        let c = try #require(Self.golden?.decoder.first)
        let torch = Self.outputs(c, form, float32: false)
        let memory = torch.d_memory.matrix, mask = frameMask(real: c.real_frames, frames: c.T)
        var summed = Matrix<Double>.zeros(c.T, c.D)
        for b in 0..<c.B { for t in 0..<c.T { for j in 0..<c.D { summed[t, j] += memory[b * c.T + t, j] } } }
        expectAgrees("d pos", summed.elements, torch.d_pos.values, tolerance: Tolerance.Released.double)
        for r in mask.indices where !mask[r] { #expect(memory.row(r).allSatisfy { $0 == 0 }, "padded frame \(r)") }
    }

    /// The learnable alternatives of two choices, set to the values the golden ran with, must
    /// give the golden's output, and their gradients must be torch's: `decoder-target` learned
    /// with a zero n_seg × D table is tgt = 0, whose gradient torch recorded (d_tgt, summed over
    /// the videos as the table is shared); `memory-positions` learned with a table whose first T
    /// rows are the released sinusoid (absolute index, so frame t reads row t) is the sinusoid
    /// case, and the table's gradient is torch's d_pos on those rows and 0 elsewhere.
    @Test("learned tgt and memory-position tables: the gradients torch gives tgt and pos", arguments: arguments)
    func learnedTables(form: Form) throws {
        let c = try #require(Self.golden?.decoder.first)
        let torch = Self.outputs(c, form, float32: false), tol = Tolerance.Released.double
        var conf = Self.configuration(c, form)
        conf.choices.decoderTarget = .learned
        conf.choices.memoryPositions = .learned
        conf.memoryPositionSpan = c.T + 3
        var p = Self.parameters(c)
        p.target = .zeros(c.segments, c.D)
        p.memoryPositions = .zeros(conf.memoryPositionSpan, c.D)
        let pos = c.pos.matrix
        for t in 0..<c.T { for j in 0..<c.D { p.memoryPositions[t, j] = pos[t, j] } }
        var generator = MersenneTwister(seed: 0)
        let (out, cache) = Reference.Decoder.forward(memory: c.memory.input.matrix, mask: frameMask(real: c.real_frames, frames: c.T),
                                                     batch: c.B, parameters: p, configuration: conf, generator: &generator)
        let grads = Reference.Decoder.backward(cache: cache, parameters: p, configuration: conf, outputGradient: c.G.input.matrix)
        expectAgrees("output", out.elements, torch.output.values, tolerance: tol)
        expectAgrees("d tgt", grads.target.elements, torch.d_tgt.values, tolerance: tol)
        expectAgrees("d pos table, rows 0..<T", Array(grads.memoryPositions.elements.prefix(c.T * c.D)), torch.d_pos.values, tolerance: tol)
        #expect(grads.memoryPositions.elements.dropFirst(c.T * c.D).allSatisfy { $0 == 0 }, "rows past T get no gradient")
    }

    /// The released initialisation, recorded from torch (`Transformer._reset_parameters` after
    /// `_get_clones`): attention biases 0, LayerNorm 1 and 0, the FFN biases nn.Linear's
    /// uniform(±1/√fan_in), nonzero and the same in every layer, every rank-2 weight redrawn per
    /// layer within xavier's bound. `ModelParameters.initial` must have the same structure.
    @Test("initial decoder parameters have the released structure")
    func initialisation() throws {
        let record = try ReleasedGolden.load().decoder_initialisation
        var c = ModelConfiguration()
        c.layerSizes = [6, record.D]
        c.heads = record.heads
        c.decoderLayers = record.layers
        c.choices.ffnWidth = .fixed(record.ffn_width)
        var g = MersenneTwister(seed: 1)
        let p = ModelParameters<Double>.initial(c, using: &g)
        let named = p.decoder.map { ReleasedGolden.named([$0], finalNorm: p.finalNorm) }
        for (key, torch) in record.tensors.sorted(by: { $0.key < $1.key }) {
            let values = named.map { $0["decoder.layers.0." + key]! }
            let first = values[0]
            #expect(first.allSatisfy { $0 == 0 } == torch.all_zero, "\(key): all zero")
            #expect(first.allSatisfy { $0 == 1 } == torch.all_one, "\(key): all one")
            #expect(values.dropFirst().allSatisfy { $0 == first } == torch.identical_in_every_layer, "\(key): shared by the layers")
            let d = Double(record.D), f = Double(record.ffn_width)
            let bound: Double
            switch key {
            case "linear1.bias": bound = 1 / d.squareRoot()                               // nn.Linear, fan_in D
            case "linear2.bias": bound = 1 / f.squareRoot()                               // fan_in = FFN width
            case let k where k.hasSuffix("in_proj_weight"): bound = (6 / (4 * d)).squareRoot()   // xavier, 3D × D
            case let k where k.hasSuffix("out_proj.weight"): bound = (6 / (2 * d)).squareRoot()
            case "linear1.weight", "linear2.weight": bound = (6 / (d + f)).squareRoot()
            default: bound = 1                                                            // biases 0, LayerNorm 1 / 0
            }
            #expect(torch.max_abs <= bound, "\(key): torch's draw within the bound")
            #expect(first.allSatisfy { abs($0) <= bound }, "\(key): ours within the bound \(bound)")
        }
    }
}
