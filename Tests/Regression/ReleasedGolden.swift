import CLOTCore
import Testing
import TestSupport

/// `fixtures/golden/clot_released_modules.json`, made by `scripts/make_released_golden.py`:
/// the released CLOT modules (elenabbbuenob/CLOT 0a43eb9: `feature_dispatching.py`,
/// `cross-att.py`, `transformer.py`) and the official ASOT training step (mingu6/action_seg_ot
/// 0c4c86b: `train.py`, `asot.py`) run by torch, forward and autograd backward, in float64 and
/// float32, with dropout 0 everywhere (torch's dropout draws cannot be matched).
///
/// Conventions (the script's header has them in full): every free input is a float32 number,
/// so `GoldenTensor.input` rounds it to Float before widening (the float64 case ran on exactly
/// those values); rows are batch-first stacks, (B, T, D) as (B·T) × D; module gradients are of
/// Σ output ⊙ G for the recorded G.
struct ReleasedGolden: Decodable {
    struct Source: Decodable {
        struct Repository: Decodable { var repository: String, commit: String, check: String }
        struct Versions: Decodable { var torch: String, numpy: String }
        var clot: Repository, asot: Repository, versions: Versions, command: String
    }

    struct FeatureDispatchingCase: Decodable {
        struct Outputs: Decodable {
            var output: GoldenTensor, dX: GoldenTensor, dA: GoldenTensor
            var d_sim_alpha: Double, d_sim_beta: Double
            /// The module's argmax cluster per frame and how many frames had a tie (released only).
            var argmax: [Int]?, tied_frames: Int?
        }
        struct Results: Decodable { var released: Outputs, masked_renormalised: Outputs }
        var name: String, B: Int, T: Int, K: Int, D: Int, real_frames: [Int], ties: [[Int]]
        var X: GoldenTensor, A: GoldenTensor, sim_alpha: Double, sim_beta: Double, G: GoldenTensor
        var float64: Results, float32: Results
    }

    struct RefinementCase: Decodable {
        struct Outputs: Decodable { var refined: GoldenTensor, weights: GoldenTensor, d_features: GoldenTensor, d_queries: GoldenTensor }
        var name: String, B: Int, T: Int, S: Int, D: Int, temp: Double
        var features: GoldenTensor, queries: GoldenTensor, G: GoldenTensor
        var float64: Outputs, float32: Outputs
    }

    struct Positions: Decodable {
        struct Table: Decodable {
            var D: Int, rows: [Int], table_float64: GoldenTensor, table_float32: GoldenTensor
            var max_abs_float32_minus_float64: Double
        }
        struct Forward: Decodable { var input_shape: [Int], output_shape: [Int]?, error: String? }
        var max_len: Int, cases: [Table], forward: [Forward]
    }

    struct DecoderCase: Decodable {
        struct Outputs: Decodable {
            var output: GoldenTensor, d_memory: GoldenTensor, d_pos: GoldenTensor, d_query_pos: GoldenTensor
            var d_tgt: GoldenTensor, d_weights: [String: GoldenTensor]
        }
        struct Forms: Decodable { var parallel: Outputs, causal: Outputs }
        var name: String, B: Int, T: Int, segments: Int, D: Int, heads: Int, layers: Int, ffn_width: Int
        var real_frames: [Int], memory: GoldenTensor, query_pos: GoldenTensor, G: GoldenTensor, pos: GoldenTensor
        var weights: [String: GoldenTensor]
        var float64: Forms, float32: Forms
    }

    struct DecoderInitialisation: Decodable {
        struct Record: Decodable { var all_zero: Bool, all_one: Bool, identical_in_every_layer: Bool, max_abs: Double }
        var D: Int, heads: Int, layers: Int, ffn_width: Int, tensors: [String: Record]
    }

    struct DenseTensors: Decodable { var weight: GoldenTensor, bias: GoldenTensor }

    struct ASOTStepCase: Decodable {
        struct Outputs: Decodable {
            struct AfterStep: Decodable { var mlp: [DenseTensors], clusters: GoldenTensor }
            var loss: Double, logged_train_loss: Double, pseudo_labels: GoldenTensor, clusters_normalised: GoldenTensor
            var d_mlp: [DenseTensors], d_clusters: GoldenTensor, after_adam_step: AfterStep
        }
        struct Settings: Decodable {
            var alpha_train: Double, lambda_actions_train: Double, train_eps: Double, radius_gw: Double
            var temp: Double, rho: Double, lr: Double, weight_decay: Double
        }
        var name: String, layer_sizes: [Int], K: Int, B: Int, T: Int, real_frames: [Int], settings: Settings
        var features: GoldenTensor, mlp: [DenseTensors], clusters: GoldenTensor
        var float64: Outputs, float32: Outputs
    }

    struct CLOTLossCase: Decodable {
        struct Stages: Decodable { var frames: GoldenTensor, segments: GoldenTensor, refined: GoldenTensor }
        struct Losses: Decodable { var frames: Double, segments: Double, refined: Double, total: Double }
        struct Gradients: Decodable {
            var mlp: [DenseTensors], sim_alpha: Double, sim_beta: Double, clusters: GoldenTensor, query_pos: GoldenTensor
            var decoder: [String: GoldenTensor]
        }
        struct Outputs: Decodable { var loss: Losses, pseudo_labels: Stages, features: Stages, gradients: Gradients }
        var name: String, preset: String, choices: [String: ChoiceValue]
        var layer_sizes: [Int], K: Int, segment_offset: Int, segments: Int, heads: Int, decoder_layers: Int, ffn_width: Int
        var B: Int, T: Int, real_frames: [Int], temperature: Double, rho: Double
        var features: GoldenTensor, mlp: [DenseTensors], clusters: GoldenTensor, sim_alpha: Double, sim_beta: Double
        var query_pos: GoldenTensor, decoder_weights: [String: GoldenTensor]
        var float64: Outputs, float32: Outputs
    }

    var source: Source
    var feature_dispatching: [FeatureDispatchingCase]
    var cross_attention_refinement: [RefinementCase]
    var positional_encoding: Positions
    var decoder: [DecoderCase]
    var decoder_initialisation: DecoderInitialisation
    var asot_training_step: [ASOTStepCase]
    var clot_loss: [CLOTLossCase]

    static let path = "golden/clot_released_modules.json"

    /// The fixture, decoded once for every suite.
    static let shared: ReleasedGolden? = try? loadFixture(path)

    /// The fixture or a recorded failure (a missing or unreadable fixture fails every test).
    static func load() throws -> ReleasedGolden {
        try #require(shared, "\(path) is missing or does not decode")
    }
}

/// A choice's value in the fixture: a name ("masked") or a number (0.1).
enum ChoiceValue: Decodable, Equatable, CustomStringConvertible {
    case name(String), number(Double)
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let x = try? c.decode(Double.self) { self = .number(x) } else { self = .name(try c.decode(String.self)) }
    }
    var description: String {
        switch self {
        case .name(let s): s
        case .number(let x): "\(x)"
        }
    }
}

/// A scalar, vector or matrix from the fixture, flattened row-major.
struct GoldenTensor: Decodable {
    var values: [Double]
    var shape: [Int]

    init(values: [Double], shape: [Int]) {
        self.values = values
        self.shape = shape
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let x = try? c.decode(Double.self) {
            self.init(values: [x], shape: [])
        } else if let v = try? c.decode([Double].self) {
            self.init(values: v, shape: [v.count])
        } else {
            let m = try c.decode([[Double]].self)
            self.init(values: m.flatMap { $0 }, shape: [m.count, m.first?.count ?? 0])
        }
    }

    /// As an input of the float64 case: each value is a float32 number written in its shortest
    /// decimal, so it is rounded to Float and widened (exact) to recover the value torch used.
    var input: GoldenTensor { GoldenTensor(values: values.map { Double(Float($0)) }, shape: shape) }

    var matrix: Matrix<Double> {
        precondition(shape.count == 2, "not a matrix: shape \(shape)")
        return Matrix(rows: shape[0], columns: shape[1], elements: values)
    }

    /// The rows in `indices`.
    func rows(_ indices: [Int]) -> [Double] { matrix.selectingRows(indices).elements }
}

extension Matrix where Scalar == Double {
    /// Rows whose flag is true, flattened.
    func elements(ofRows keep: [Bool]) -> [Double] {
        selectingRows(keep.indices.filter { keep[$0] }).elements
    }
}

extension Matrix where Scalar == Float {
    /// Rows whose flag is true, flattened.
    func elements(ofRows keep: [Bool]) -> [Float] {
        selectingRows(keep.indices.filter { keep[$0] }).elements
    }
}

/// B·T flags, true on each video's first `real[b]` frames.
func frameMask(real: [Int], frames: Int) -> [Bool] {
    real.flatMap { r in (0..<frames).map { $0 < r } }
}

/// Expects `ours` within `tolerance` of the golden tensor in the scaled max error
/// (max |ours − golden| / max |golden|), naming the tensor and the error on failure.
func expectAgrees(_ name: String, _ ours: [Double], _ golden: [Double], tolerance: Double,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    guard ours.count == golden.count else {
        Issue.record("\(name): \(ours.count) values, golden has \(golden.count)", sourceLocation: sourceLocation)
        return
    }
    let error = scaledMaxError(ours, golden)
    #expect(error <= tolerance, "\(name): scaled error \(error) > \(tolerance)", sourceLocation: sourceLocation)
}

/// The Float32 version of `expectAgrees`. With `exact`, the float64 golden of the same
/// quantity, the allowance grows by twice torch's own float32 error against it: a value that
/// cancels (a gradient summed over many terms of both signs, such as ∂α of dispatching) is
/// uncertain in float32 at that level on either side, which is rounding, not a mismatch.
func expectAgrees(_ name: String, _ ours: [Float], _ golden: [Double], tolerance: Double, exact: [Double]? = nil,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    guard ours.count == golden.count, exact.map({ $0.count == golden.count }) ?? true else {
        Issue.record("\(name): \(ours.count) values, golden has \(golden.count)", sourceLocation: sourceLocation)
        return
    }
    let allowance = tolerance + 2 * (exact.map { scaledMaxError(golden, $0) } ?? 0)
    let error = scaledMaxError(ours, golden)
    #expect(error <= allowance, "\(name): scaled error \(error) > \(allowance)", sourceLocation: sourceLocation)
}

// MARK: torch parameter names ↔ the shared parameter container

extension ReleasedGolden {
    /// The decoder layers and final LayerNorm from torch's `named_parameters()` of the released
    /// `Transformer` (`decoder.layers.{i}.…`, `decoder.norm.…`), each value an input (Float-rounded).
    static func decoder(_ w: [String: GoldenTensor], layers: Int)
        -> (layers: [ModelParameters<Double>.DecoderLayer], finalNorm: ModelParameters<Double>.Norm) {
        func t(_ name: String) -> GoldenTensor { w[name]!.input }
        func attention(_ p: String) -> ModelParameters<Double>.Attention {
            .init(inWeight: t(p + "in_proj_weight").matrix, inBias: t(p + "in_proj_bias").values,
                  outWeight: t(p + "out_proj.weight").matrix, outBias: t(p + "out_proj.bias").values)
        }
        func norm(_ p: String) -> ModelParameters<Double>.Norm { .init(gamma: t(p + "weight").values, beta: t(p + "bias").values) }
        func dense(_ p: String) -> ModelParameters<Double>.Dense { .init(weight: t(p + "weight").matrix, bias: t(p + "bias").values) }
        let decoderLayers = (0..<layers).map { i -> ModelParameters<Double>.DecoderLayer in
            let p = "decoder.layers.\(i)."
            return .init(selfAttention: attention(p + "self_attn."), crossAttention: attention(p + "multihead_attn."),
                         feedForward1: dense(p + "linear1."), feedForward2: dense(p + "linear2."),
                         norm1: norm(p + "norm1."), norm2: norm(p + "norm2."), norm3: norm(p + "norm3."))
        }
        return (decoderLayers, norm("decoder.norm."))
    }

    /// Our decoder gradients under torch's parameter names, to compare with a golden dictionary.
    static func named<S: BinaryFloatingPoint & Codable & Sendable>(
        _ layers: [ModelParameters<S>.DecoderLayer], finalNorm: ModelParameters<S>.Norm) -> [String: [S]] {
        var out: [String: [S]] = [:]
        for (i, l) in layers.enumerated() {
            let p = "decoder.layers.\(i)."
            for (a, name) in [(l.selfAttention, "self_attn."), (l.crossAttention, "multihead_attn.")] {
                out[p + name + "in_proj_weight"] = a.inWeight.elements
                out[p + name + "in_proj_bias"] = a.inBias
                out[p + name + "out_proj.weight"] = a.outWeight.elements
                out[p + name + "out_proj.bias"] = a.outBias
            }
            out[p + "linear1.weight"] = l.feedForward1.weight.elements
            out[p + "linear1.bias"] = l.feedForward1.bias
            out[p + "linear2.weight"] = l.feedForward2.weight.elements
            out[p + "linear2.bias"] = l.feedForward2.bias
            for (n, name) in [(l.norm1, "norm1."), (l.norm2, "norm2."), (l.norm3, "norm3.")] {
                out[p + name + "weight"] = n.gamma
                out[p + name + "bias"] = n.beta
            }
        }
        out["decoder.norm.weight"] = finalNorm.gamma
        out["decoder.norm.bias"] = finalNorm.beta
        return out
    }
}

/// Every golden tensor of `golden` against ours under the same name (and no name missing).
func expectAgrees(_ label: String, _ ours: [String: [Double]], _ golden: [String: GoldenTensor], tolerance: Double,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Set(ours.keys) == Set(golden.keys), "\(label): parameter names differ", sourceLocation: sourceLocation)
    for (name, g) in golden.sorted(by: { $0.key < $1.key }) {
        guard let mine = ours[name] else { continue }
        expectAgrees("\(label) \(name)", mine, g.values, tolerance: tolerance, sourceLocation: sourceLocation)
    }
}

/// The Float32 version, with the float64 goldens as `exact` (see the Float `expectAgrees`).
func expectAgrees(_ label: String, _ ours: [String: [Float]], _ golden: [String: GoldenTensor], tolerance: Double,
                  exact: [String: GoldenTensor]? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Set(ours.keys) == Set(golden.keys), "\(label): parameter names differ", sourceLocation: sourceLocation)
    for (name, g) in golden.sorted(by: { $0.key < $1.key }) {
        guard let mine = ours[name] else { continue }
        expectAgrees("\(label) \(name)", mine, g.values, tolerance: tolerance, exact: exact?[name]?.values,
                     sourceLocation: sourceLocation)
    }
}
