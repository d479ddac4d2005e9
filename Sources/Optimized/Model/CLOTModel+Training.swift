import CLOTCore

extension Optimized.CLOTModel {
    /// One training step (official `training_step`), as
    /// `Reference.CLOTModel.trainingStep` and with the same random draws: A's rows are
    /// L2-normalised in place, the three stages run with dropout, their ASOT pseudo-labels are
    /// computed with the train settings (no gradient), and Adam (one optimiser state per tensor,
    /// in `ModelParameters.tensors` order) applies the gradient of L = L_F + L_S + L_R. The loss
    /// and the gradient share one softmax per stage.
    /// - Returns: the loss before the update.
    public static func trainingStep(_ batch: Batch, parameters p: inout ModelParameters<Float>, optimizers: inout [Adam<Float>],
                                    configuration c: ModelConfiguration, settings: ASOTSettings,
                                    generator: inout MersenneTwister) -> Loss {
        p.actions = Optimized.RowNormalize.forward(p.actions)
        let f = forward(batch, parameters: p, configuration: c, dropout: true, generator: &generator)
        let targets = pseudoLabels(f, batch: batch, parameters: p, configuration: c, settings: settings, generator: &generator)
        let (value, grads) = lossAndGradients(f, targets: targets, batch: batch, parameters: p, configuration: c)
        let g = grads.tensors
        var tensors = p.tensors
        precondition(optimizers.count == tensors.count, "one optimiser state per tensor")
        // p lets go of its arrays first (one-entry stand-ins), so Adam updates them in place
        // instead of copying every parameter array that p still shares.
        p.tensors = tensors.map { [$0.first ?? 0] }
        for i in tensors.indices { optimizers[i].update(&tensors[i], gradient: g[i]) }
        p.tensors = tensors
        return value
    }

    /// Per-frame labels of one whole video: the decoding stage's features (refined by default),
    /// cost 1 − F Aᵀ + P (+ λ_SW·C_SW when decoding stage-1 features, directions drawn as
    /// Reference draws them), the ASOT plan with the eval settings, argmax. A is used as it is.
    public static func predict(_ features: Matrix<Float>, parameters p: ModelParameters<Float>, configuration c: ModelConfiguration,
                               settings: ASOTSettings, generator: inout MersenneTwister) -> [Int] {
        let batch = Batch(features: features, mask: Array(repeating: true, count: features.rows), videos: 1)
        let f = forward(batch, parameters: p, configuration: c, dropout: false, generator: &generator)
        let prior = Optimized.temporalPrior(frames: features.rows, clusters: c.clusters, rho: Float(c.rho))
        var cost: Matrix<Float>
        if let refined = f.refined, c.choices.decodeStage == .refined {
            cost = cosineCost(refined, p.actions, prior: prior)
        } else {
            cost = cosineCost(f.frames, p.actions, prior: prior)
            if c.useSlicedWasserstein {
                let directions = randomSphereDirections(count: c.slicedWassersteinProjections, dimension: p.actions.columns,
                                                        using: &generator).float32
                let sw = Optimized.slicedCostMatrix(frames: f.frames, clusters: p.actions, directions: directions,
                                                    radius: Float(c.slicedWassersteinRadius))
                addScaled(&cost, sw, Float(c.choices.swWeight))
            }
        }
        return Optimized.solveASOT(cost: cost, settings: settings).labels
    }
}
