import ArgumentParser
import CLOTCore
import Foundation
import Optimized
import Reference

/// `clot segment`: decode one video's frame-to-action matrix with the ASOT solver. The command
/// line, its help and its messages; the work is `SegmentJob`'s.
struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode an N×K affinity or cost matrix into per-frame labels with the ASOT solver.",
        discussion: """
        Solves ASOT (Xu & Gould, CVPR 2024, Eq. 4–7) by mirror descent on cost = 1 − affinity \
        (+ the temporal prior ρ|t/N − k/K| when --rho is given) and writes the argmax of the \
        plan, one label per line. The defaults, shown beside each option, are the official \
        segment_asot ones: actions unbalanced, frames balanced.

        Given a folder (--affinity DIR or --cost DIR), it decodes every .npy file in it in this \
        one process and writes one output per input, named after it, into the folders given by \
        --labels (NAME.txt), --plan (NAME.npy) and --svg (NAME.svg), created if missing. A file \
        that cannot be decoded is reported by name and skipped; the others are still written, \
        and the command then fails (exit status 1) naming every file that failed.

        Examples:
          clot segment --affinity video.npy --eps 0.01 --alpha 0.6 --labels video.txt \\
                       --plan video-plan.npy --svg video-plan.svg --json
          clot segment --affinity affinities/ --eps 0.01 --alpha 0.6 --labels labels/ --plan plans/
        """)

    @Option(help: "N×K affinity matrix (.npy), or a folder of them; the cost is 1 − affinity.")
    var affinity: String?

    @Option(help: "N×K cost matrix (.npy), or a folder of them.")
    var cost: String?

    @Option(parsing: .unconditional, help: "Entropy weight ε.") var eps: Double = ASOTSettings().epsilon
    @Option(parsing: .unconditional, help: "Weight of the temporal (Gromov–Wasserstein) term, in [0, 1].") var alpha: Double = ASOTSettings().alpha
    @Option(parsing: .unconditional, help: "Radius of the temporal filter, as a fraction of N.") var radius: Double = ASOTSettings().radius
    @Option(parsing: .unconditional, help: "KL penalty on the action marginal.") var lambdaActions: Double = ASOTSettings().lambdaActions
    @Option(parsing: .unconditional, help: "KL penalty on the frame marginal (used with --unbalanced-frames).") var lambdaFrames: Double = ASOTSettings().lambdaFrames
    @Flag(help: "Relax the frame marginal to a KL penalty.") var unbalancedFrames = false
    @Flag(help: "Keep the action marginal balanced (with balanced frames: the Sinkhorn mode).") var balancedActions = false
    @Option(parsing: .unconditional, help: "Mirror-descent iterations.") var iterations: Int = ASOTSettings().outerIterations
    @Option(parsing: .unconditional, help: "Sinkhorn iterations of the balanced projection.") var sinkhornIterations: Int = ASOTSettings().sinkhornIterations
    @Option(parsing: .unconditional, help: "Fixed mirror-descent step (default: 4 / max gradient).") var stepSize: Double?
    @Option(parsing: .unconditional, help: "Weight ρ of the temporal prior added to the cost (default: none).") var rho: Double?
    @Option(help: "optimized (Float32, fast kernels) or reference (Double, plain Swift).") var backend: Backend = .optimized
    @Option(help: "Where to write the labels, one per line (a folder for a folder of inputs).") var labels: String
    @Option(help: "Where to write the plan (.npy; a folder for a folder of inputs).") var plan: String?
    @Option(help: "Where to draw the plan as a heat map with the segmentation under it (.svg; a folder for a folder of inputs).")
    var svg: String?
    @Flag(help: "Print a JSON summary with the objective trace and the solver's wall time.") var json = false

    /// The values of the command line.
    var job: SegmentJob {
        var settings = ASOTSettings()
        settings.epsilon = eps
        settings.alpha = alpha
        settings.radius = radius
        settings.lambdaActions = lambdaActions
        settings.lambdaFrames = lambdaFrames
        settings.framesUnbalanced = unbalancedFrames
        settings.actionsUnbalanced = !balancedActions
        settings.outerIterations = iterations
        settings.sinkhornIterations = sinkhornIterations
        settings.stepSize = stepSize
        return SegmentJob(affinity: affinity, cost: cost, settings: settings, rho: rho, backend: backend,
                          labels: labels, plan: plan, svg: svg, json: json)
    }

    func validate() throws {
        if let problem = job.problem { throw ValidationError(problem) }
    }

    func run() throws {
        try job.run()
    }
}
