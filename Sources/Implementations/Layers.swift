import CLOTCore
import Optimized
import Reference

/// The layers' forward and backward passes on either implementation, Double at the boundary
/// (inputs, parameters and output gradients rounded to Float32 for the optimized one, its
/// results widened back). Parameters are passed as plain matrices and arrays so one call reads
/// the same for both; `implementation.layers.relu(x)`.
public struct LayerOperations: Sendable {
    public let implementation: Implementation

    /// max(0, x), entrywise.
    public func relu(_ x: Matrix<Double>) -> Matrix<Double> {
        apply(x, Reference.ReLU.forward, Optimized.ReLU.forward)
    }

    /// ∂x of ReLU: dy where x > 0, else 0.
    public func reluBackward(_ x: Matrix<Double>, outputGradient dy: Matrix<Double>) -> Matrix<Double> {
        apply(x, dy, { Reference.ReLU.backward($0, outputGradient: $1) }, { Optimized.ReLU.backward($0, outputGradient: $1) })
    }

    /// Each row divided by its L2 norm (clamped below at 1e-12).
    public func rowNormalize(_ x: Matrix<Double>) -> Matrix<Double> {
        apply(x, Reference.RowNormalize.forward, Optimized.RowNormalize.forward)
    }

    /// ∂x of the row normalisation.
    public func rowNormalizeBackward(_ x: Matrix<Double>, outputGradient dy: Matrix<Double>) -> Matrix<Double> {
        apply(x, dy, { Reference.RowNormalize.backward($0, outputGradient: $1) },
              { Optimized.RowNormalize.backward($0, outputGradient: $1) })
    }

    /// Inverted dropout with a given keep mask (entries 0 or 1/(1 − p)).
    public func dropout(_ x: Matrix<Double>, mask: Matrix<Double>) -> Matrix<Double> {
        apply(x, mask, { Reference.Dropout.forward($0, mask: $1) }, { Optimized.Dropout.forward($0, mask: $1) })
    }

    /// ∂x of dropout with a given mask.
    public func dropoutBackward(outputGradient dy: Matrix<Double>, mask: Matrix<Double>) -> Matrix<Double> {
        apply(dy, mask, { Reference.Dropout.backward(outputGradient: $0, mask: $1) },
              { Optimized.Dropout.backward(outputGradient: $0, mask: $1) })
    }

    /// `reference(x)`, or `optimized` of x rounded to Float32, widened back.
    private func apply(_ x: Matrix<Double>, _ reference: (Matrix<Double>) -> Matrix<Double>,
                       _ optimized: (Matrix<Float>) -> Matrix<Float>) -> Matrix<Double> {
        switch implementation {
        case .reference: reference(x)
        case .optimized: optimized(x.float32).float64
        }
    }

    /// `reference(x, y)`, or `optimized` of x and y rounded to Float32, widened back.
    private func apply(_ x: Matrix<Double>, _ y: Matrix<Double>, _ reference: (Matrix<Double>, Matrix<Double>) -> Matrix<Double>,
                       _ optimized: (Matrix<Float>, Matrix<Float>) -> Matrix<Float>) -> Matrix<Double> {
        switch implementation {
        case .reference: reference(x, y)
        case .optimized: optimized(x.float32, y.float32).float64
        }
    }

    /// Row-wise softmax(x/τ).
    public func softmax(_ x: Matrix<Double>, temperature tau: Double) -> Matrix<Double> {
        switch implementation {
        case .reference: Reference.SoftmaxWithTemperature.forward(x, temperature: tau)
        case .optimized: Optimized.SoftmaxWithTemperature.forward(x.float32, temperature: Float(tau)).float64
        }
    }

    /// ∂x of softmax(x/τ), given the probabilities it produced.
    public func softmaxBackward(probabilities p: Matrix<Double>, outputGradient dp: Matrix<Double>,
                                temperature tau: Double) -> Matrix<Double> {
        switch implementation {
        case .reference:
            Reference.SoftmaxWithTemperature.backward(probabilities: p, outputGradient: dp, temperature: tau)
        case .optimized:
            Optimized.SoftmaxWithTemperature.backward(probabilities: p.float32, outputGradient: dp.float32,
                                                      temperature: Float(tau)).float64
        }
    }

    /// The masked soft cross-entropy −(1/R) Σ_rows Σ_k T log(P + offset).
    public func softCrossEntropy(probabilities p: Matrix<Double>, targets t: Matrix<Double>, mask: [Bool]? = nil) -> Double {
        switch implementation {
        case .reference: Reference.SoftCrossEntropy.forward(probabilities: p, targets: t, mask: mask)
        case .optimized: Double(Optimized.SoftCrossEntropy.forward(probabilities: p.float32, targets: t.float32, mask: mask))
        }
    }

    /// ∂logits of the soft cross-entropy through softmax(logits/τ), scaled by `lossGradient`.
    public func softCrossEntropyBackward(probabilities p: Matrix<Double>, targets t: Matrix<Double>, mask: [Bool]? = nil,
                                         temperature tau: Double, lossGradient g: Double = 1) -> Matrix<Double> {
        switch implementation {
        case .reference:
            Reference.SoftCrossEntropy.backward(probabilities: p, targets: t, mask: mask, temperature: tau, lossGradient: g)
        case .optimized:
            Optimized.SoftCrossEntropy.backward(probabilities: p.float32, targets: t.float32, mask: mask,
                                                temperature: Float(tau), lossGradient: Float(g)).float64
        }
    }

    /// x Wᵀ + b.
    public func linear(_ x: Matrix<Double>, weight: Matrix<Double>, bias: [Double]) -> Matrix<Double> {
        switch implementation {
        case .reference:
            Reference.Linear.forward(x, parameters: .init(weight: weight, bias: bias))
        case .optimized:
            Optimized.Linear.forward(x.float32, parameters: .init(weight: weight.float32, bias: bias.map(Float.init))).float64
        }
    }

    /// ∂x, ∂W, ∂b of x Wᵀ + b.
    public func linearBackward(_ x: Matrix<Double>, weight: Matrix<Double>, bias: [Double], outputGradient dy: Matrix<Double>)
        -> (input: Matrix<Double>, weight: Matrix<Double>, bias: [Double]) {
        switch implementation {
        case .reference:
            let g = Reference.Linear.backward(x, parameters: .init(weight: weight, bias: bias), outputGradient: dy)
            return (g.input, g.parameters.weight, g.parameters.bias)
        case .optimized:
            let g = Optimized.Linear.backward(x.float32, parameters: .init(weight: weight.float32, bias: bias.map(Float.init)),
                                              outputGradient: dy.float32)
            return (g.input.float64, g.parameters.weight.float64, g.parameters.bias.map(Double.init))
        }
    }

    /// Layer normalisation of each row, γ ⊙ (x − μ)/√(σ² + ε) + β, at the layer's default ε.
    public func layerNorm(_ x: Matrix<Double>, gamma: [Double], beta: [Double]) -> Matrix<Double> {
        switch implementation {
        case .reference:
            Reference.LayerNorm.forward(x, parameters: .init(gamma: gamma, beta: beta)).output
        case .optimized:
            Optimized.LayerNorm.forward(x.float32, parameters: .init(gamma: gamma.map(Float.init), beta: beta.map(Float.init)))
                .output.float64
        }
    }

    /// ∂x, ∂γ, ∂β of the layer normalisation at x.
    public func layerNormBackward(_ x: Matrix<Double>, gamma: [Double], beta: [Double], outputGradient dy: Matrix<Double>)
        -> (input: Matrix<Double>, gamma: [Double], beta: [Double]) {
        switch implementation {
        case .reference:
            let p = Reference.LayerNorm.Parameters(gamma: gamma, beta: beta)
            let g = Reference.LayerNorm.backward(cache: Reference.LayerNorm.forward(x, parameters: p).cache, parameters: p,
                                                 outputGradient: dy)
            return (g.input, g.parameters.gamma, g.parameters.beta)
        case .optimized:
            let p = Optimized.LayerNorm.Parameters(gamma: gamma.map(Float.init), beta: beta.map(Float.init))
            let g = Optimized.LayerNorm.backward(cache: Optimized.LayerNorm.forward(x.float32, parameters: p).cache, parameters: p,
                                                 outputGradient: dy.float32)
            return (g.input.float64, g.parameters.gamma.map(Double.init), g.parameters.beta.map(Double.init))
        }
    }
}

extension Implementation {
    /// The layers on this implementation.
    public var layers: LayerOperations { LayerOperations(implementation: self) }
}
