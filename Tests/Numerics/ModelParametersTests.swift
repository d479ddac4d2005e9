import CLOTCore
import Testing

/// `ModelParameters.initial`: the initial values the released `transformer.py` gives its
/// decoder (xavier on every tensor of rank ≥ 2, attention biases 0, LayerNorm γ 1 and β 0, the
/// FFN biases torch's `nn.Linear` default, drawn once for the layer that `_get_clones` copies).
@Suite("initial parameters")
struct ModelParametersTests {
    static func configuration(layers: Int) -> ModelConfiguration {
        var c = ModelConfiguration()
        c.layerSizes = [6, 10, 8]
        c.clusters = 3
        c.heads = 2
        c.decoderLayers = layers
        return c
    }

    @Test("FFN biases: uniform(±1/√fan_in), not all zero, the same in every layer")
    func feedForwardBiases() {
        let c = Self.configuration(layers: 3)
        var g = MersenneTwister(seed: 5)
        let p = ModelParameters<Double>.initial(c, using: &g)
        let d = c.embeddingWidth, f = c.feedForwardWidth
        let first = p.decoder[0]
        #expect(first.feedForward1.bias.count == f && first.feedForward2.bias.count == d)
        #expect(first.feedForward1.bias.allSatisfy { abs($0) <= 1 / Double(d).squareRoot() })
        #expect(first.feedForward2.bias.allSatisfy { abs($0) <= 1 / Double(f).squareRoot() })
        // With f + D ≥ 8 draws each, all below a tenth of the bound in magnitude has probability ≤ 1e-8.
        #expect(first.feedForward1.bias.contains { abs($0) > 0.1 / Double(d).squareRoot() })
        #expect(first.feedForward2.bias.contains { abs($0) > 0.1 / Double(f).squareRoot() })
        for layer in p.decoder.dropFirst() {
            #expect(layer.feedForward1.bias == first.feedForward1.bias)
            #expect(layer.feedForward2.bias == first.feedForward2.bias)
            // The weights, redrawn by the reset, differ between layers.
            #expect(layer.feedForward1.weight != first.feedForward1.weight)
        }
    }

    @Test("attention biases 0, LayerNorm γ = 1 and β = 0, weights within their xavier bounds")
    func decoderInitialisation() {
        let c = Self.configuration(layers: 2)
        var g = MersenneTwister(seed: 6)
        let p = ModelParameters<Double>.initial(c, using: &g)
        let d = c.embeddingWidth, f = c.feedForwardWidth
        for layer in p.decoder {
            for a in [layer.selfAttention, layer.crossAttention] {
                #expect(a.inBias.allSatisfy { $0 == 0 } && a.outBias.allSatisfy { $0 == 0 })
                #expect(a.inWeight.elements.allSatisfy { abs($0) <= (6 / Double(4 * d)).squareRoot() })
                #expect(a.outWeight.elements.allSatisfy { abs($0) <= (6 / Double(2 * d)).squareRoot() })
            }
            for w in [layer.feedForward1.weight, layer.feedForward2.weight] {
                #expect(w.elements.allSatisfy { abs($0) <= (6 / Double(d + f)).squareRoot() })
            }
            for n in [layer.norm1, layer.norm2, layer.norm3] {
                #expect(n.gamma.allSatisfy { $0 == 1 } && n.beta.allSatisfy { $0 == 0 })
            }
        }
    }

    @Test("learnable tgt and memory positions: present only when chosen, drawn after the defaults' tensors")
    func choiceTables() {
        var c = Self.configuration(layers: 2)
        c.memoryPositionSpan = 16
        var g0 = MersenneTwister(seed: 8)
        let plain = ModelParameters<Double>.initial(c, using: &g0)
        #expect(plain.target.rows == 0 && plain.memoryPositions.rows == 0)
        c.choices.decoderTarget = .learned
        c.choices.memoryPositions = .learned
        var g1 = MersenneTwister(seed: 8)
        let learned = ModelParameters<Double>.initial(c, using: &g1)
        let d = c.embeddingWidth
        #expect(learned.target.rows == c.segments && learned.target.columns == d)
        #expect(learned.memoryPositions.rows == 16 && learned.memoryPositions.columns == d)
        // FUTR's xavier bound for a (1, L, D) parameter: fan_in L·D, fan_out D.
        let bound = (6 / Double(17 * d)).squareRoot()
        #expect(learned.memoryPositions.elements.allSatisfy { abs($0) <= bound })
        #expect(learned.memoryPositions.elements.contains { abs($0) > 0.1 * bound })
        #expect(learned.target.elements.contains { abs($0) > 0.1 })
        // Everything the defaults have is drawn first, so it is unchanged.
        #expect(learned.encoder == plain.encoder && learned.decoder == plain.decoder && learned.actions == plain.actions
                && learned.queryPositions == plain.queryPositions)
    }

    @Test("the ASOT baseline draws nothing for a decoder")
    func asotDrawsNoDecoder() {
        var g1 = MersenneTwister(seed: 7), g2 = MersenneTwister(seed: 7)
        let asot = ModelParameters<Double>.initial(.asot(layerSizes: [6, 10, 8], clusters: 3), using: &g1)
        var noDecoder = Self.configuration(layers: 2)
        noDecoder.useDecoder = false
        let other = ModelParameters<Double>.initial(noDecoder, using: &g2)
        #expect(asot.decoder.isEmpty && asot.queryPositions.rows == 0)
        #expect(asot.encoder == other.encoder && asot.actions == other.actions && g1 == g2)
    }
}
