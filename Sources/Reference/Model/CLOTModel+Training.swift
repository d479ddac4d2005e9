import CLOTCore

extension Reference.CLOTModel {
    /// One training step (official `training_step`): A's rows are L2-normalised
    /// in place, the three stages run with dropout, their ASOT pseudo-labels are computed with
    /// the train settings (no gradient), and Adam (one optimiser state per tensor, in
    /// `ModelParameters.tensors` order) applies the gradient of L = L_F + L_S + L_R.
    /// - Returns: the loss before the update.
    public static func trainingStep(_ batch: Batch, parameters p: inout ModelParameters<Double>, optimizers: inout [Adam<Double>],
                                    configuration c: ModelConfiguration, settings: ASOTSettings,
                                    generator: inout MersenneTwister) -> Loss {
        p.actions = Reference.RowNormalize.forward(p.actions)
        let f = forward(batch, parameters: p, configuration: c, dropout: true, generator: &generator)
        let targets = pseudoLabels(f, batch: batch, parameters: p, configuration: c, settings: settings, generator: &generator)
        let value = loss(f, targets: targets, batch: batch, parameters: p, configuration: c)
        let g = gradients(f, targets: targets, batch: batch, parameters: p, configuration: c).tensors
        var tensors = p.tensors
        precondition(optimizers.count == tensors.count, "one optimiser state per tensor")
        for i in tensors.indices { optimizers[i].update(&tensors[i], gradient: g[i]) }
        p.tensors = tensors
        return value
    }

    /// Per-frame labels of one whole video: the decoding stage's features (refined by default),
    /// cost 1 − F Aᵀ + P (+ λ_SW·C_SW when decoding stage-1 features), the ASOT plan with the
    /// eval settings, argmax. A is used as it is (the official test step does not normalise it).
    public static func predict(_ features: Matrix<Double>, parameters p: ModelParameters<Double>, configuration c: ModelConfiguration,
                               settings: ASOTSettings, generator: inout MersenneTwister) -> [Int] {
        let batch = Batch(features: features, mask: Array(repeating: true, count: features.rows), videos: 1)
        let f = forward(batch, parameters: p, configuration: c, dropout: false, generator: &generator)
        let prior = Reference.temporalPrior(frames: features.rows, clusters: c.clusters, rho: c.rho)
        var cost: Matrix<Double>
        if let refined = f.refined, c.choices.decodeStage == .refined {
            cost = cosineCost(refined, p.actions, prior: prior)
        } else {
            cost = cosineCost(f.frames, p.actions, prior: prior)
            if c.useSlicedWasserstein {
                let directions = randomSphereDirections(count: c.slicedWassersteinProjections, dimension: p.actions.columns, using: &generator)
                let sw = Reference.slicedCostMatrix(frames: f.frames, clusters: p.actions, directions: directions, radius: c.slicedWassersteinRadius)
                for i in cost.elements.indices { cost.elements[i] += c.choices.swWeight * sw.elements[i] }
            }
        }
        return Reference.solveASOT(cost: cost, settings: settings).labels
    }
}
