import CLOTCore
import Foundation
import Implementations
import Optimized
import Reference

/// What `clot segment` does, as plain values: the ASOT settings, the prior, the backend, the
/// inputs and outputs. Both readers of the command line make one (`Segment`, through
/// ArgumentParser; `SegmentJob(plainArguments:)`), and `run()` does the work.
struct SegmentJob: Equatable {
    var affinity: String?, cost: String?
    /// The solver's settings, starting from `ASOTSettings`' own defaults (the official
    /// `segment_asot` ones); the flags change them one by one.
    var settings = ASOTSettings()
    var rho: Double?
    var backend = Implementation.optimized
    var labels = "", plan: String?, svg: String?
    var json = false

    /// What makes the command line unusable before any file is read, if anything.
    var problem: String? {
        guard (affinity == nil) != (cost == nil) else { return "give exactly one of --affinity and --cost" }
        if let rho, !(rho.isFinite && rho >= 0) { return "--rho must be non-negative, got \(rho)" }
        return nil
    }

    /// The flag that sets each solver setting, so that an out-of-range value is reported under
    /// the name the user typed.
    static let flags: [ASOTSettings.Setting: String] = [
        .epsilon: "--eps", .alpha: "--alpha", .radius: "--radius", .lambdaFrames: "--lambda-frames",
        .lambdaActions: "--lambda-actions", .outerIterations: "--iterations",
        .sinkhornIterations: "--sinkhorn-iterations", .stepSize: "--step-size",
    ]

    func run() throws {
        Interruption.install()
        try settings.validate { Self.flags[$0] ?? $0.rawValue }
        if backend == .optimized { Optimized.prepareSolverThreads() }
        let input = affinity ?? cost!
        if FileSystem.isDirectory(input) { return try runFolder(input) }
        let video = try decode(input)
        try Interruption.check("before writing any output")
        try write(video, labels: labels, plan: plan, svg: svg)
        var summary = self.summary(video, labels: labels, plan: plan)
        summary.provenance = .current(backend)
        print(json ? try summary.json() : summary.text)
    }

    /// One video's decode: the plan (float32 from the optimized backend, float64 from the
    /// reference one), its objective trace, the labels and the solver's time.
    struct DecodedVideo {
        var frames: Int, clusters: Int
        var plan: NPYArray, trace: [Double]
        var labels: [Int]
        var seconds: Double
    }

    /// Loads, checks and decodes one input file.
    func decode(_ path: String) throws -> DecodedVideo {
        let costMatrix = try loadCost(path)
        let clock = ContinuousClock()
        let start = clock.now
        let (plan, labels, trace) = solve(costMatrix)
        let seconds = (clock.now - start).seconds
        if let i = trace.firstIndex(where: { !$0.isFinite }) {
            let precision = backend == .optimized ? "Float32" : "Double"
            throw InputError(path, "the solver's objective became \(trace[i]) at iteration \(i) (\(backend.rawValue) backend), "
                             + "so its plan and labels mean nothing; nothing was written for this input",
                             hint: "exp(−cost/ε) left the range of \(precision): an affinity is expected in [0, 1] (cost = "
                                 + "1 − affinity); rescale the matrix, raise --eps, or try --backend reference")
        }
        return DecodedVideo(frames: costMatrix.rows, clusters: costMatrix.columns, plan: plan, trace: trace,
                            labels: labels, seconds: seconds)
    }

    /// Writes the labels, and the plan and its drawing when asked, as one output: all appear
    /// together or, on a failure such as a full disk, none is replaced.
    func write(_ video: DecodedVideo, labels: String, plan: String?, svg: String?) throws {
        var outputs: [(path: String, bytes: [UInt8])] = [(labels, FileSystem.labelBytes(video.labels))]
        if let plan { outputs.append((plan, NPY.encode(video.plan))) }
        if let svg { outputs.append((svg, Array(SVG.planHeatMap(try video.plan.matrix(), labels: video.labels).utf8))) }
        try FileSystem.writeTogether(outputs)
    }

    func summary(_ video: DecodedVideo, labels: String, plan: String?) -> SegmentSummary {
        SegmentSummary(frames: video.frames, clusters: video.clusters, backend: backend, settings: settings, rho: rho,
                       labels: labels, plan: plan,
                       clusterSizes: (0..<video.clusters).map { k in video.labels.filter { $0 == k }.count },
                       segments: segmentCount(video.labels), objectiveTrace: video.trace, seconds: video.seconds)
    }

    /// The cost from the input file, checked, plus the prior if asked.
    func loadCost(_ path: String) throws -> Matrix<Double> {
        let array = try NPY.read(path)
        guard array.shape.count == 2 else {
            throw InputError(path, "expected a 2-D N×K matrix, got shape \(array.shape)")
        }
        var matrix = try array.matrix(source: path)
        guard matrix.rows >= 1 else { throw InputError(path, "has no frames (N = 0)") }
        guard matrix.columns >= 2 else {
            throw InputError(path, "has K = \(matrix.columns) clusters; segmenting needs at least 2")
        }
        guard matrix.columns <= matrix.rows else {
            throw InputError(path, "has \(matrix.rows) frames but K = \(matrix.columns) clusters",
                             hint: "a segmentation needs at least as many frames as clusters; is the matrix transposed (N×K expected)?")
        }
        if let bad = matrix.elements.firstIndex(where: { !$0.isFinite }) {
            throw InputError(path, "entry (\(bad / matrix.columns), \(bad % matrix.columns)) is \(matrix.elements[bad]); values must be finite")
        }
        if affinity != nil { matrix.elements = matrix.elements.map { 1 - $0 } }
        if let rho {
            let prior = Reference.temporalPrior(frames: matrix.rows, clusters: matrix.columns, rho: rho)
            for i in matrix.elements.indices { matrix.elements[i] += prior.elements[i] }
        }
        return matrix
    }

    /// The plan in the backend's precision, its row argmax and the objective trace.
    func solve(_ c: Matrix<Double>) -> (plan: NPYArray, labels: [Int], trace: [Double]) {
        let s = backend.solveASOTKeepingPrecision(cost: c, settings: settings)
        return (s.plan, s.labels, s.objectiveTrace)
    }

    func segmentCount(_ labels: [Int]) -> Int {
        zip(labels, labels.dropFirst()).reduce(labels.isEmpty ? 0 : 1) { $0 + ($1.0 != $1.1 ? 1 : 0) }
    }
}

struct SegmentSummary: Encodable {
    /// The input file's name, in a folder run.
    var input: String?
    var frames: Int, clusters: Int
    var backend: Implementation
    var settings: ASOTSettings
    var rho: Double?
    var labels: String, plan: String?
    var clusterSizes: [Int]
    var segments: Int
    var objectiveTrace: [Double]
    var seconds: Double
    /// What made the result (once per folder run, in its summary, not per file).
    var provenance: Provenance?

    enum CodingKeys: String, CodingKey {
        case input, frames, clusters, backend, settings, rho, labels, plan, segments, seconds, provenance
        case clusterSizes = "cluster_sizes", objectiveTrace = "objective_trace"
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var text: String {
        """
        \(frames) frames → \(clusters) clusters (\(settings.marginals.rawValue), \(backend.rawValue) backend)
        \(segments) segments; frames per cluster: \(clusterSizes.map(String.init).joined(separator: " "))
        objective \(objectiveTrace.first.map { String($0) } ?? "–") → \(objectiveTrace.last.map { String($0) } ?? "–") over \(settings.outerIterations) iterations
        solver time \(String(format: "%.4f", seconds)) s; labels written to \(labels)\(plan.map { ", plan to \($0)" } ?? "")
        """
    }
}

extension Duration {
    /// Seconds as a Double.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
