import CLOTCore

extension Reference {
    /// The CLOT model's three stages and their losses (CLOT §3, Eq. 3 and 11–13), with
    /// a hand-written backward pass. The ASOT baseline is the same code with stage 1 only and
    /// neither feature dispatching nor sliced Wasserstein (`ModelConfiguration.asot`).
    ///
    ///     stage 1  F = FD(rownorm(MLP(X)), A)          T   = ASOT(1 − F Aᵀ + P + λ_SW·C_SW)
    ///     stage 2  S_raw = Decoder(F), S = rownorm(S_raw)           T_S = ASOT(1 − S Aᵀ [+ P_seg])
    ///     stage 3  F_R = rownorm(F + softmax(F S̃ᵀ/√D/τ_r) S̃)    T_R = ASOT(1 − F_R Aᵀ + P)   (Eq. 3)
    ///     L = CE(softmax(F Aᵀ/τ), T) + CE(softmax(S Aᵀ/τ), T_S) + CE(softmax(F_R Aᵀ/τ), T_R)   (Eq. 11–13)
    ///
    /// Pseudo-labels T, T_S, T_R carry no gradient. A batch is B videos of T frames (padded,
    /// with a mask) stacked as (B·T) × d_in. The readings the sources leave open are
    /// `c.choices` (`ReconstructionChoices`): whether FD masks padding and renormalises F,
    /// whether S is renormalised (`segment-renormalise`) and which S the refinement gets
    /// (S̃ = S_raw or rownorm(S_raw): `refinement-segments`), the encoder's dropout, the
    /// decoder's positions and tgt, λ_SW, the segment prior, the SW directions' draw, the
    /// stage-3 OT problem (`stage3-ot`), and whether stages 2 and 3 send gradient into the
    /// encoder (`encoder-gradient`).
    public enum CLOTModel: ModelStages {
        /// The types, the forward pass, the loss and its gradient, the training step and the
        /// decoding come from `ModelStages`, written once for both backends; what follows is
        /// this backend's own: the pseudo-labels, the decoding costs and their products.
        public typealias Arithmetic = Reference

        // MARK: Costs and solvers

        public static func temporalPrior(frames: Int, clusters: Int, rho: Double) -> Matrix<Double> {
            Reference.temporalPrior(frames: frames, clusters: clusters, rho: rho)
        }

        /// 1 − F_v Aᵀ + P per video, plain loops.
        public static func stageCosts(_ features: Matrix<Double>, actions: Matrix<Double>, prior: Matrix<Double>,
                                      videos: Int) -> [Matrix<Double>] {
            let n = prior.rows
            return (0..<videos).map { cosineCost(features.rowBlock($0 * n, n), actions, prior: prior) }
        }

        /// 1 − F Aᵀ + P.
        static func cosineCost(_ features: Matrix<Double>, _ actions: Matrix<Double>, prior: Matrix<Double>) -> Matrix<Double> {
            var cost = prior
            for i in 0..<features.rows {
                for k in 0..<actions.rows {
                    var dot = 0.0
                    for j in 0..<features.columns { dot += features[i, j] * actions[k, j] }
                    cost[i, k] += 1 - dot
                }
            }
            return cost
        }

        /// cost ← cost + λ_SW·C_SW.
        public static func addSlicedCost(_ cost: inout Matrix<Double>, frames: Matrix<Double>, actions: Matrix<Double>,
                                         directions: Matrix<Double>, configuration c: ModelConfiguration) {
            let sw = slicedCostMatrix(frames: frames, clusters: actions, directions: directions, radius: c.slicedWassersteinRadius)
            for i in cost.elements.indices { cost.elements[i] += c.choices.swWeight * sw.elements[i] }
        }

        /// `solveASOT`, single-threaded.
        public static func solve(_ batch: ASOTBatch<Double>, settings: ASOTSettings, threads: Int?) -> [ASOTSolution<Double>] {
            solveASOT(batch, settings: settings)
        }

        /// `first`, then `second`, on this thread.
        public static func concurrently(_ first: () -> Void, _ second: @escaping () -> Void) {
            first()
            second()
        }

        /// Lloyd's k-means (k-means++ seeding) of the embeddings: the initial A.
        public static func kMeansCenters(_ embeddings: Matrix<Double>, clusters: Int,
                                         generator: inout MersenneTwister) -> Matrix<Double> {
            kMeans(embeddings, clusters: clusters, using: &generator).centers
        }

        // MARK: small matrix helpers (plain loops)

        /// x Aᵀ.
        static func logits(_ x: Matrix<Double>, _ a: Matrix<Double>) -> Matrix<Double> {
            var out = Matrix<Double>.zeros(x.rows, a.rows)
            for i in 0..<x.rows { for k in 0..<a.rows {
                var dot = 0.0
                for j in 0..<x.columns { dot += x[i, j] * a[k, j] }
                out[i, k] = dot
            } }
            return out
        }

        /// g A (g: R × K, A: K × D).
        static func product(_ g: Matrix<Double>, _ a: Matrix<Double>) -> Matrix<Double> {
            var out = Matrix<Double>.zeros(g.rows, a.columns)
            for i in 0..<g.rows { for k in 0..<g.columns { for j in 0..<a.columns { out[i, j] += g[i, k] * a[k, j] } } }
            return out
        }

        /// gᵀ x (g: R × K, x: R × D).
        static func product(transpose g: Matrix<Double>, _ x: Matrix<Double>) -> Matrix<Double> {
            var out = Matrix<Double>.zeros(g.columns, x.columns)
            for i in 0..<g.rows { for k in 0..<g.columns { for j in 0..<x.columns { out[k, j] += g[i, k] * x[i, j] } } }
            return out
        }

        static func accumulate(_ a: inout Matrix<Double>, _ b: Matrix<Double>) {
            for i in a.elements.indices { a.elements[i] += b.elements[i] }
        }
    }
}
