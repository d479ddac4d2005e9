/// CLOT's training step and decoding (official `training_step` and test step), written once for
/// both backends: the forward pass, the backend's pseudo-labels and decoding costs, the shared
/// loss and gradient, and Adam.
extension ModelStages {
    /// One training step: A's rows are L2-normalised in place, the three stages run with dropout,
    /// their ASOT pseudo-labels are computed with the train settings (no gradient), and Adam (one
    /// optimiser state per tensor, in `ModelParameters.tensors` order) applies the gradient of
    /// L = L_F + L_S + L_R.
    /// - Returns: the loss before the update.
    /// - Postconditions: the same random draws, in the same order, in both backends.
    @inlinable
    public static func trainingStep(_ batch: Batch, parameters p: inout ModelParameters<Arithmetic.Scalar>,
                                    optimizers: inout [Adam<Arithmetic.Scalar>], configuration c: ModelConfiguration,
                                    settings: ASOTSettings, generator: inout MersenneTwister) -> Loss {
        p.actions = Arithmetic.rowNormalize(p.actions)
        let f = forward(batch, parameters: p, configuration: c, dropout: true, generator: &generator)
        let targets = pseudoLabels(f, batch: batch, parameters: p, configuration: c, settings: settings, generator: &generator)
        let (value, gradients) = lossAndGradients(f, targets: targets, batch: batch, parameters: p, configuration: c)
        let g = gradients.tensors
        var tensors = p.tensors
        precondition(optimizers.count == tensors.count, "one optimiser state per tensor")
        // p lets go of its arrays first (one-entry stand-ins), so Adam updates them in place
        // instead of copying every parameter array that p still shares.
        p.tensors = tensors.map { [$0.first ?? 0] }
        for i in tensors.indices { optimizers[i].update(&tensors[i], gradient: g[i]) }
        p.tensors = tensors
        return value
    }

    /// Per-frame labels of one whole video: the decoding stage's features (refined by default,
    /// choice `decode-stage`), cost 1 − F Aᵀ + P (+ λ_SW·C_SW when decoding stage-1 features),
    /// the ASOT plan with the eval settings, argmax. A is used as it is (the official test step
    /// does not normalise it).
    /// - Postconditions: one label in 0..<K per row of `features`.
    @inlinable
    public static func predict(_ features: Matrix<Arithmetic.Scalar>, parameters p: ModelParameters<Arithmetic.Scalar>,
                               configuration c: ModelConfiguration, settings: ASOTSettings,
                               generator: inout MersenneTwister) -> [Int] {
        let batch = Batch(features: features, mask: Array(repeating: true, count: features.rows), videos: 1)
        let f = forward(batch, parameters: p, configuration: c, dropout: false, generator: &generator)
        let prior = temporalPrior(frames: features.rows, clusters: c.clusters, rho: c.rho)
        if let refined = f.refined, c.choices.decodeStage == .refined {
            return labels(stageCosts(refined, actions: p.actions, prior: prior, videos: 1)[0], settings: settings)
        }
        var cost = stageCosts(f.frames, actions: p.actions, prior: prior, videos: 1)[0]
        if c.useSlicedWasserstein {
            let directions = randomSphereDirections(count: c.slicedWassersteinProjections, dimension: p.actions.columns,
                                                    using: &generator)
            addSlicedCost(&cost, frames: f.frames, actions: p.actions, directions: directions, configuration: c)
        }
        return labels(cost, settings: settings)
    }

    /// The argmax labels of the ASOT plan of one video's cost.
    @inlinable
    static func labels(_ cost: Matrix<Arithmetic.Scalar>, settings: ASOTSettings) -> [Int] {
        solve(ASOTBatch(cost: cost), settings: settings, threads: nil)[0].labels
    }
}
