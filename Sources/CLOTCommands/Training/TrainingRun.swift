import CLOTCore
import Foundation
import Optimized

/// One training run of METHOD.md §5, end to end: k-means initialisation of A, epochs of
/// sampled batches, prediction on every whole video with the eval settings, evaluation with
/// the papers' protocol, and the outputs (`metrics.json`, `predictions/<video>.txt`). The
/// numbers reported are those after the final epoch — never selected on the test labels.
struct TrainingRun {
    var configuration: RunConfiguration
    var backend: Backend
    var videos: [Video]
    var output: String
    /// Also log each epoch as a plain line (otherwise only on a terminal).
    var verbose = true
    /// Continue from `checkpoint.plist` in the output folder when there is one.
    var resume = false
    /// Action names for the report's legend.
    var mapping: ActionMapping? = nil

    /// What is saved after every epoch (atomically) so a killed run can continue exactly.
    struct Checkpoint: Codable {
        var configuration: RunConfiguration
        var backend: Backend
        var epoch: Int
        var records: [EpochRecord]
        var generator: MersenneTwister
        var model: Data
    }

    var checkpointPath: String { output + "/checkpoint.plist" }

    /// What `metrics.json` holds.
    struct Report: Codable {
        var activity: SegmentationScores
        var video: SegmentationScores
        var method: String
        var variant: String
        var dataset: String
        var activityName: String
        var seed: UInt32
        var epochs: Int
        var backend: Backend
        var clusters: Int
        var videos: [String]
        var config: RunConfiguration
        var perEpoch: [EpochRecord]
        var wallSeconds: Double
        /// The arithmetic, the code and the machine that made these numbers.
        var provenance: Provenance
        var selection = "final epoch; no model selection on the test labels"
        var f1Note = "f1: the official sampled F1 (15 samples, 50 repeats, seeded by the run seed); f1_expected: its expectation"

        enum CodingKeys: String, CodingKey {
            case activity, video, method, variant, dataset, activityName = "activity_name", seed, epochs, backend, clusters
            case videos, config, perEpoch = "per_epoch", wallSeconds = "wall_seconds", provenance
            case selection, f1Note = "f1_note"
        }
    }

    struct EpochRecord: Codable {
        var epoch: Int
        var loss: Double
        var seconds: Double
    }

    /// Runs, writes the outputs atomically, and returns the report.
    func run() throws -> Report {
        try configuration.model.validate()
        try FileSystem.prepareOutputDirectory(output)
        try FileSystem.prepareOutputDirectory(output + "/predictions")
        let clock = ContinuousClock()
        let start = clock.now
        let c = configuration
        var generator = MersenneTwister(seed: c.seed)
        let initial = ModelParameters<Double>.initial(c.model, using: &generator)
        var model = try makeBackend(backend, c.model, parameters: initial, learningRate: c.defaults.learningRate,
                                    weightDecay: c.defaults.weightDecay)
        initialiseActions(&model, generator: &generator)
        var records: [EpochRecord] = []
        var firstEpoch = 1
        if resume, let saved = try loadCheckpoint() {
            try model.restore(saved.model)
            generator = saved.generator
            records = saved.records
            firstEpoch = saved.epoch + 1
            Console.progress("\(c.variantName) seed \(c.seed): resuming after epoch \(saved.epoch) from \(checkpointPath)")
        }
        for epoch in firstEpoch..<(c.epochs + 1) {
            let epochStart = clock.now
            let batches = TrainingData.epoch(videos, batchSize: c.defaults.batchSize, frames: c.defaults.framesPerVideo,
                                             standardise: c.defaults.standardiseFeatures, using: &generator)
            var total = 0.0
            for (index, batch) in batches.enumerated() {
                total += model.step(batch, settings: c.defaults.train, using: &generator)
                let elapsed = (clock.now - start).seconds
                Console.status("\(c.variantName) seed \(c.seed): epoch \(epoch)/\(c.epochs) step \(index + 1)/\(batches.count) "
                               + "loss \(String(format: "%.4f", total / Double(index + 1))) "
                               + "elapsed \(String(format: "%.1f", elapsed)) s" + remaining(epoch, index, batches.count, elapsed))
            }
            let record = EpochRecord(epoch: epoch, loss: total / Double(batches.count), seconds: (clock.now - epochStart).seconds)
            records.append(record)
            let checkpoint = Checkpoint(configuration: c, backend: backend, epoch: epoch, records: records,
                                        generator: generator, model: try model.checkpoint())
            try FileSystem.writeAtomically(Array(try PropertyListEncoder.binary.encode(checkpoint)), to: checkpointPath)
            if verbose && !Console.isTerminal {
                Console.progress("\(c.variantName) seed \(c.seed): epoch \(epoch)/\(c.epochs) loss \(String(format: "%.4f", record.loss)) "
                                 + "(\(String(format: "%.2f", record.seconds)) s)")
            }
        }
        Console.status("\(c.variantName) seed \(c.seed): predicting \(videos.count) videos", final: false)
        var sequences: [LabelledSequence] = []
        for video in videos {
            let input = TrainingData.testInput(video, standardise: c.defaults.standardiseFeatures)
            let labels = model.predict(input, settings: c.defaults.eval, using: &generator)
            try FileSystem.writeAtomically(labels.map { "\($0)\n" }.joined(), to: output + "/predictions/" + video.name + ".txt")
            sequences.append(LabelledSequence(name: video.name, predicted: labels, groundTruth: video.labels))
        }
        let evaluation = EvaluationProtocol(excludedClass: c.defaults.excludedClass, seed: c.seed)
        let activity = try evaluation.evaluateActivity(sequences)
        let videoLevel = try evaluation.evaluateVideos(sequences)
        let report = Report(activity: activity.scores, video: videoLevel.scores, method: c.method.rawValue, variant: c.variantName,
                            dataset: c.dataset.rawValue, activityName: c.activity, seed: c.seed, epochs: c.epochs, backend: backend,
                            clusters: c.model.clusters, videos: videos.map(\.name), config: c, perEpoch: records,
                            wallSeconds: (clock.now - start).seconds, provenance: .current(backend))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileSystem.writeAtomically(Array(try encoder.encode(report)), to: output + "/metrics.json")
        let html = HTMLReport.training(report, sequences: sequences, matching: activity.matching, mapping: mapping, paper: BundledFiles.paperTables)
        try FileSystem.writeAtomically(html, to: output + "/report.html")
        Console.status("\(c.variantName) seed \(c.seed): done in \(String(format: "%.1f", report.wallSeconds)) s", final: true)
        return report
    }

    /// The saved checkpoint, if any; one from a different run configuration is an error.
    private func loadCheckpoint() throws -> Checkpoint? {
        guard let data = FileManager.default.contents(atPath: checkpointPath) else {
            Console.progress("no checkpoint at \(checkpointPath): starting from the beginning")
            return nil
        }
        let saved: Checkpoint
        do { saved = try PropertyListDecoder().decode(Checkpoint.self, from: data) } catch {
            throw InputError(checkpointPath, "is not a readable checkpoint", hint: "delete it to start over")
        }
        guard saved.configuration == configuration, saved.backend == backend else {
            throw InputError(checkpointPath, "belongs to a different run (settings, seed or backend differ)",
                             hint: "use the same command, or another --output")
        }
        return saved
    }

    /// A → k-means centres of the untrained encoder's embeddings over one pass of sampled,
    /// shuffled training batches, padding rows included (official `fit_clusters`).
    private func initialiseActions(_ model: inout any ModelBackend, generator: inout MersenneTwister) {
        let c = configuration
        let batches = TrainingData.epoch(videos, batchSize: c.defaults.batchSize, frames: c.defaults.framesPerVideo,
                                         standardise: c.defaults.standardiseFeatures, using: &generator)
        var rows: [Double] = []
        for batch in batches { rows += model.embed(batch.features).elements }
        let d = c.model.embeddingWidth
        let embeddings = Matrix(rows: rows.count / d, columns: d, elements: rows)
        model.initialiseActions(kMeansOn: embeddings, clusters: c.model.clusters, using: &generator)
    }

    private func remaining(_ epoch: Int, _ index: Int, _ steps: Int, _ elapsed: Double) -> String {
        let done = Double((epoch - 1) * steps + index + 1), total = Double(configuration.epochs * steps)
        guard done > 0 else { return "" }
        return ", ~\(String(format: "%.0f", elapsed / done * (total - done))) s left"
    }
}
