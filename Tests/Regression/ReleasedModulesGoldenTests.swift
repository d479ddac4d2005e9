import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// Feature dispatching, the cross-attention refinement and the sinusoid against the released
/// CLOT modules run by torch (`fixtures/golden/clot_released_modules.json`). Forward values and
/// autograd gradients; Reference against float64 within `Tolerance.Released.double`, Optimized
/// against float32 within `Tolerance.Released.float32`.
///
/// Where a choice departs from the released module (feature dispatching's fd-padding masked
/// and fd-renormalise yes; the sinusoid of any length) both readings are held: the released
/// one to the module itself, the other to the module composed with exactly the documented
/// change (the module on the real frames only; then F.normalize; the table's rows).
@Suite("Released CLOT modules: feature dispatching, refinement, positions")
struct ReleasedModulesGoldenTests {
    static let golden = ReleasedGolden.shared

    @Test("the fixture records the released commits and the software that ran them")
    func provenance() throws {
        let g = try ReleasedGolden.load()
        #expect(g.source.clot.repository == "elenabbbuenob/CLOT")
        #expect(g.source.clot.commit == "0a43eb961ca827334989be6a1a02d21262bba299")
        #expect(g.source.asot.repository == "mingu6/action_seg_ot")
        #expect(g.source.asot.commit == "0c4c86b1037eb4c3e262197aeee115b31e220c9d")
        #expect(!g.source.versions.torch.isEmpty && !g.source.versions.numpy.isEmpty)
        #expect(g.source.command.contains("make_released_golden.py"))
    }

    // MARK: Feature dispatching (src/feature_dispatching.py)

    struct DispatchRun {
        var output: [Double], dX: [Double], dA: [Double], dAlpha: Double, dBeta: Double, assignments: [Int]
    }

    /// Reference FD on the case's inputs; `masked` = padding masked and the output renormalised
    /// (fd-padding masked, fd-renormalise yes), otherwise the released settings (no mask, no
    /// renormalisation).
    static func reference(_ c: ReleasedGolden.FeatureDispatchingCase, masked: Bool) -> DispatchRun {
        let mask = frameMask(real: c.real_frames, frames: c.T)
        var g = c.G.input.matrix
        if masked { for r in 0..<g.rows where !mask[r] { for j in 0..<g.columns { g[r, j] = 0 } } }
        let (out, cache) = Reference.FeatureDispatching.forward(
            c.X.input.matrix, actions: c.A.input.matrix,
            parameters: .init(alpha: Double(Float(c.sim_alpha)), beta: Double(Float(c.sim_beta))),
            batch: c.B, frameMask: mask, settings: masked ? DispatchSettings(maskPadding: true, renormalise: true) : .released)
        let grads = Reference.FeatureDispatching.backward(cache: cache, outputGradient: g)
        return DispatchRun(output: masked ? out.elements(ofRows: mask) : out.elements, dX: grads.features.elements,
                           dA: grads.actions.elements, dAlpha: grads.parameters.alpha, dBeta: grads.parameters.beta,
                           assignments: cache.assignments)
    }

    struct FloatDispatchRun {
        var output: [Float], dX: [Float], dA: [Float], dAlpha: Float, dBeta: Float, assignments: [Int]
    }

    static func optimized(_ c: ReleasedGolden.FeatureDispatchingCase, masked: Bool) -> FloatDispatchRun {
        let mask = frameMask(real: c.real_frames, frames: c.T)
        var g = c.G.input.matrix.float32
        if masked { for r in 0..<g.rows where !mask[r] { for j in 0..<g.columns { g[r, j] = 0 } } }
        let (out, cache) = Optimized.FeatureDispatching.forward(
            c.X.input.matrix.float32, actions: c.A.input.matrix.float32,
            parameters: .init(alpha: Float(c.sim_alpha), beta: Float(c.sim_beta)),
            batch: c.B, frameMask: mask, settings: masked ? DispatchSettings(maskPadding: true, renormalise: true) : .released)
        let grads = Optimized.FeatureDispatching.backward(cache: cache, outputGradient: g)
        return FloatDispatchRun(output: masked ? out.elements(ofRows: mask) : out.elements, dX: grads.features.elements,
                                dA: grads.actions.elements, dAlpha: grads.parameters.alpha, dBeta: grads.parameters.beta,
                                assignments: cache.assignments)
    }

    /// The released settings (no mask, no renormalisation) are the module: output, ∂X, ∂A
    /// (C = A[None] as CLOT passes its clusters, so ∂A sums over the batch), ∂α, ∂β.
    @Test("feature dispatching, released settings: Reference = FeatureDispatcher in float64",
          arguments: golden?.feature_dispatching.map(\.name) ?? [])
    func dispatchReleasedReference(name: String) throws {
        let c = try #require(Self.golden?.feature_dispatching.first { $0.name == name })
        let ours = Self.reference(c, masked: false), torch = c.float64.released
        let tol = Tolerance.Released.double
        expectAgrees("output", ours.output, torch.output.values, tolerance: tol)
        expectAgrees("dX", ours.dX, torch.dX.values, tolerance: tol)
        expectAgrees("dA", ours.dA, torch.dA.values, tolerance: tol)
        expectAgrees("d sim_alpha", [ours.dAlpha], [torch.d_sim_alpha], tolerance: tol)
        expectAgrees("d sim_beta", [ours.dBeta], [torch.d_sim_beta], tolerance: tol)
    }

    /// Measured against torch float32: output ≤ 1.2e-7, gradients ≤ 6e-7 (scaled; ∂β).
    @Test("feature dispatching, released settings: Optimized = FeatureDispatcher in float32",
          arguments: golden?.feature_dispatching.map(\.name) ?? [])
    func dispatchReleasedOptimized(name: String) throws {
        let c = try #require(Self.golden?.feature_dispatching.first { $0.name == name })
        let ours = Self.optimized(c, masked: false), torch = c.float32.released
        let tol = Tolerance.Released.float32
        expectAgrees("output", ours.output, torch.output.values, tolerance: tol)
        expectAgrees("dX", ours.dX, torch.dX.values, tolerance: tol)
        expectAgrees("dA", ours.dA, torch.dA.values, tolerance: tol)
        expectAgrees("d sim_alpha", [ours.dAlpha], [torch.d_sim_alpha], tolerance: tol)
        expectAgrees("d sim_beta", [ours.dBeta], [torch.d_sim_beta], tolerance: tol)
    }

    /// The hard mask: torch's `max(dim=1)` returns the first of tied maxima, and so do both
    /// backends (the ties case copies one cluster row onto another, so S ties exactly).
    @Test("feature dispatching: the argmax and its ties are torch's", arguments: golden?.feature_dispatching.map(\.name) ?? [])
    func dispatchArgmax(name: String) throws {
        let c = try #require(Self.golden?.feature_dispatching.first { $0.name == name })
        #expect(Self.reference(c, masked: false).assignments == c.float64.released.argmax)
        #expect(Self.optimized(c, masked: false).assignments == c.float32.released.argmax)
        if !c.ties.isEmpty {
            #expect((c.float64.released.tied_frames ?? 0) > 0, "the ties case must contain tied frames")
        }
    }

    /// The two choices beyond the module, each by exactly what it documents. fd-padding masked
    /// with fd-renormalise yes: the golden applies the module to each video's real frames only
    /// and then F.normalize; ours must equal it on the real frames (padded rows reach no loss),
    /// with ∂X 0 on padded rows. fd-renormalise yes alone (the default, padding included): the
    /// module's output, row-normalised (its gradient is held by the whole-loss golden).
    @Test("feature dispatching, padding masked and renormalised = the module on real frames, then F.normalize",
          arguments: golden?.feature_dispatching.map(\.name) ?? [])
    func dispatchMaskedRenormalised(name: String) throws {
        let c = try #require(Self.golden?.feature_dispatching.first { $0.name == name })
        let mask = frameMask(real: c.real_frames, frames: c.T)
        let ours = Self.reference(c, masked: true), torch = c.float64.masked_renormalised
        let tol = Tolerance.Released.double
        expectAgrees("output", ours.output, torch.output.matrix.elements(ofRows: mask), tolerance: tol)
        expectAgrees("dX", ours.dX, torch.dX.values, tolerance: tol)
        expectAgrees("dA", ours.dA, torch.dA.values, tolerance: tol)
        expectAgrees("d sim_alpha", [ours.dAlpha], [torch.d_sim_alpha], tolerance: tol)
        expectAgrees("d sim_beta", [ours.dBeta], [torch.d_sim_beta], tolerance: tol)
        let fast = Self.optimized(c, masked: true), torch32 = c.float32.masked_renormalised
        let tol32 = Tolerance.Released.float32
        expectAgrees("output (Optimized)", fast.output, torch32.output.matrix.elements(ofRows: mask), tolerance: tol32)
        expectAgrees("dX (Optimized)", fast.dX, torch32.dX.values, tolerance: tol32)
        expectAgrees("dA (Optimized)", fast.dA, torch32.dA.values, tolerance: tol32)
        expectAgrees("d sim_alpha (Optimized)", [fast.dAlpha], [torch32.d_sim_alpha], tolerance: tol32)
        expectAgrees("d sim_beta (Optimized)", [fast.dBeta], [torch32.d_sim_beta], tolerance: tol32)
        // Padding included, renormalised (the default): the module's output, row-normalised.
        let unmasked = Reference.FeatureDispatching.forward(
            c.X.input.matrix, actions: c.A.input.matrix,
            parameters: .init(alpha: Double(Float(c.sim_alpha)), beta: Double(Float(c.sim_beta))),
            batch: c.B, frameMask: mask, settings: .init(maskPadding: false, renormalise: true)).output
        expectAgrees("renormalised output", unmasked.elements,
                     Reference.RowNormalize.forward(c.float64.released.output.matrix).elements, tolerance: tol)
        // Where there is padding, masking it matters.
        if mask.contains(false) {
            #expect(scaledMaxError(unmasked.elements(ofRows: mask), ours.output) > Tolerance.floatFewUlps, "masking the padding changed nothing")
        }
    }

    // MARK: Refinement (src/cross-att.py)

    /// `cross_attention_refinement(features, queries, temp)`: F_R, the attention weights W and
    /// the gradients of Σ F_R ⊙ G with respect to features and queries, at τ_r 0.1, 0.5, 2 and
    /// queries of norm √D (raw decoder output) or 1.
    @Test("refinement: Reference = cross_attention_refinement in float64", arguments: golden?.cross_attention_refinement.map(\.name) ?? [])
    func refinementReference(name: String) throws {
        let c = try #require(Self.golden?.cross_attention_refinement.first { $0.name == name })
        let (out, cache) = Reference.CrossAttentionRefinement.forward(
            features: c.features.input.matrix, segments: c.queries.input.matrix,
            temperature: Double(Float(c.temp)), batch: c.B)
        let grads = Reference.CrossAttentionRefinement.backward(cache: cache, outputGradient: c.G.input.matrix)
        let tol = Tolerance.Released.double
        expectAgrees("refined", out.elements, c.float64.refined.values, tolerance: tol)
        expectAgrees("weights", cache.weights.elements, c.float64.weights.values, tolerance: tol)
        expectAgrees("d features", grads.features.elements, c.float64.d_features.values, tolerance: tol)
        expectAgrees("d queries", grads.segments.elements, c.float64.d_queries.values, tolerance: tol)
    }

    /// Measured against torch float32: F_R and W ≤ 1.9e-7, gradients ≤ 3.6e-7 (scaled).
    @Test("refinement: Optimized = cross_attention_refinement in float32", arguments: golden?.cross_attention_refinement.map(\.name) ?? [])
    func refinementOptimized(name: String) throws {
        let c = try #require(Self.golden?.cross_attention_refinement.first { $0.name == name })
        let (out, cache) = Optimized.CrossAttentionRefinement.forward(
            features: c.features.input.matrix.float32, segments: c.queries.input.matrix.float32,
            temperature: Float(c.temp), batch: c.B)
        let grads = Optimized.CrossAttentionRefinement.backward(cache: cache, outputGradient: c.G.input.matrix.float32)
        let tol = Tolerance.Released.float32
        expectAgrees("refined", out.elements, c.float32.refined.values, tolerance: tol)
        expectAgrees("weights", cache.weights.elements, c.float32.weights.values, tolerance: tol)
        expectAgrees("d features", grads.features.elements, c.float32.d_features.values, tolerance: tol)
        expectAgrees("d queries", grads.segments.elements, c.float32.d_queries.values, tolerance: tol)
    }

    // MARK: The memory position code (src/transformer.py PositionalEncoding)

    /// The released `PositionalEncoding` table (built in float64) holds 3000 positions; ours is
    /// the same sinusoid (1e-12: exp(−2i ln 10⁴/D) against 10⁴^(−2i/D), times positions < 3000)
    /// and goes on past 3000 with the same formula, where the released forward has no rows.
    @Test("sinusoid: Reference = the released PositionalEncoding table, and it goes on past 3000")
    func positionsReference() throws {
        let g = try ReleasedGolden.load()
        for t in g.positional_encoding.cases {
            let longest = g.positional_encoding.max_len + 500
            let ours = Reference.SinusoidalPositions.forward(length: longest, dimension: t.D)
            let picked = ours.selectingRows(t.rows)
            #expect(picked.maxAbsDifference(t.table_float64.matrix) <= Tolerance.rounding, "D = \(t.D)")
            // Past the table: still the sinusoid (each sin/cos pair on the unit circle), and the
            // first 3000 rows do not depend on the length asked for.
            let short = Reference.SinusoidalPositions.forward(length: g.positional_encoding.max_len, dimension: t.D)
            #expect(Array(ours.elements.prefix(short.elements.count)) == short.elements)
            for row in g.positional_encoding.max_len..<longest {
                for i in stride(from: 0, to: t.D - 1, by: 2) {
                    expectClose(ours[row, i] * ours[row, i] + ours[row, i + 1] * ours[row, i + 1], 1, tolerance: Tolerance.rounding)
                }
            }
        }
        // The released forward adds a (1, 3000, D) table to a [seq_len, batch, D] input, so it
        // broadcasts over the batch axis: a 5-frame, 1-video input comes back 5 × 5 × D, two
        // videos are an error, and 3001 frames come back 3001 × 3000 × D, not an error.
        let forward = g.positional_encoding.forward
        #expect(forward.first { $0.input_shape == [5, 1, 8] }?.output_shape == [5, 5, 8])
        #expect(forward.first { $0.input_shape == [5, 2, 8] }?.error != nil)
        #expect(forward.first { $0.input_shape == [3001, 1, 8] }?.output_shape == [3001, 3000, 8])
    }

    /// Optimized rounds the Double sinusoid once to Float (within half an ulp, 6e-8), so it is
    /// closer to the float64 table than the released float32 table, whose float32 angles are off
    /// by up to pos·2⁻²⁴ (1.2e-4 recorded at D = 40, pos < 3000).
    @Test("sinusoid: Optimized within Float rounding of the float64 table")
    func positionsOptimized() throws {
        let g = try ReleasedGolden.load()
        for t in g.positional_encoding.cases {
            let ours = Optimized.SinusoidalPositions.forward(length: g.positional_encoding.max_len, dimension: t.D)
            let picked = ours.selectingRows(t.rows)
            #expect(picked.float64.maxAbsDifference(t.table_float64.matrix) <= Tolerance.floatRounding, "D = \(t.D)")
            #expect(t.max_abs_float32_minus_float64 > Tolerance.floatFewUlps, "the released float32 table is coarser")
        }
    }
}
