import CLOTCore
import Foundation
import Implementations
import Optimized

/// One training run, end to end (the official loop of ASOT `src/train.py`): k-means
/// initialisation of A, epochs of sampled batches, prediction on every whole video with the eval
/// settings, evaluation with the papers' protocol, and the outputs (`metrics.json`,
/// `predictions/<video>.txt`, `report.html`) committed together into a `RunFolder`. The numbers
/// reported are those after the final epoch — never selected on the test labels.
struct TrainingRun {
    var configuration: RunConfiguration
    var backend: Implementation
    var inputs: RunInputs
    var output: String
    /// Also log each epoch as a plain line (otherwise only on a terminal).
    var verbose = true
    /// Whether to continue from the folder's checkpoint.
    var resume = ResumePolicy.never
    /// What the command line was, for the folder's lock ("clot train …").
    var purpose = "clot train"
    /// Where the status line goes (a line, and whether it is final): the terminal's one line,
    /// or a job's slot of `clot reproduce --jobs`.
    var status: (String, Bool) -> Void = { Console.status($0, final: $1) }

    enum ResumePolicy {
        /// Start from the beginning (a previous run's files, checkpoint included, are retired).
        case never
        /// Continue from the checkpoint; a damaged or foreign one is an error (`--resume`).
        case required
        /// Continue from the checkpoint when it is of this run; otherwise say why and start over.
        /// With `sameCommitOnly`, a checkpoint another commit wrote is not continued either.
        case ifPossible(sameCommitOnly: Bool)
    }

    var videos: [Video] { inputs.videos }

    /// Everything this run's numbers depend on.
    var fingerprint: RunFingerprint {
        Self.fingerprint(configuration, backend: backend, data: inputs.data)
    }

    /// The fingerprint of a run of `configuration` on data with this fingerprint (for telling
    /// whether a finished run is current without parsing the data).
    static func fingerprint(_ configuration: RunConfiguration, backend: Implementation, data: DataFingerprint) -> RunFingerprint {
        RunFingerprint(configuration: configuration, backend: backend.rawValue,
                       arithmetic: Provenance.current(backend).arithmetic, data: data)
    }

    /// What `metrics.json` holds.
    struct Report: Codable {
        /// The scores at the activity and at the video level.
        var activity: SegmentationScores, video: SegmentationScores
        var method: String, variant: String
        var dataset: String, activityName: String
        var seed: UInt32, epochs: Int
        var backend: Implementation
        var clusters: Int
        var videos: [String]
        var config: RunConfiguration
        var perEpoch: [EpochRecord]
        /// The wall time, and where it went (`phases`, absent in runs made before it was recorded).
        var wallSeconds: Double, phases: Phases?
        /// Everything the numbers depend on (settings, backend, arithmetic, input files), with its digest.
        var fingerprint: RunFingerprint
        /// Set when the run continued from a checkpoint: after which epoch, and which commit wrote it.
        var resumed: Resumed?
        /// The arithmetic, the code and the machine that made these numbers.
        var provenance: Provenance
        var selection = "final epoch; no model selection on the test labels"
        var f1Note = "f1: the official sampled F1 (15 samples, 50 repeats, seeded by the run seed); f1_expected: its expectation"

        /// Seconds of wall time in each part of the run: k-means initialisation (0 when the run
        /// continued a checkpoint), the epochs run now, predicting every video, and scoring and
        /// writing the outputs.
        struct Phases: Codable, Equatable {
            var initialise: Double
            var train: Double
            var predict: Double
            var evaluate: Double
        }

        struct Resumed: Codable, Equatable {
            var afterEpoch: Int
            var commit: String
            enum CodingKeys: String, CodingKey { case afterEpoch = "after_epoch", commit }
        }

        enum CodingKeys: String, CodingKey {
            case activity, video, method, variant, dataset, activityName = "activity_name", seed, epochs, backend, clusters
            case videos, config, perEpoch = "per_epoch", wallSeconds = "wall_seconds", phases, fingerprint, resumed, provenance
            case selection, f1Note = "f1_note"
        }
    }

    struct EpochRecord: Codable, Equatable {
        var epoch: Int
        var loss: Double
        var seconds: Double
    }

    /// Claims the output folder (refused while another live run holds it), runs, and commits
    /// the outputs.
    func run() throws -> Report {
        try run(in: RunFolder.claim(output, purpose: purpose))
    }

    /// Runs in a folder already claimed.
    func run(in folder: RunFolder) throws -> Report {
        Interruption.install()
        try configuration.model.validate(clustersName: "--clusters")
        try inputs.check(configuration)
        let fingerprint = self.fingerprint
        let start = try startingPoint(folder, fingerprint)
        try folder.retire(keepCheckpoint: start != nil)
        let clock = ContinuousClock()
        let begin = clock.now
        var state = try initialState(folder, from: start)
        state.phases.initialise = (clock.now - begin).seconds
        let trainStart = clock.now
        try train(&state, folder, fingerprint, clock: clock, begin: begin)
        state.phases.train = (clock.now - trainStart).seconds
        return try finish(&state, folder, fingerprint, resumed: start, clock: clock, begin: begin)
    }

    /// The model, generator and epoch history a run goes on from.
    struct State {
        var model: any ModelBackend
        var generator: MersenneTwister
        var records: [EpochRecord] = []
        /// The epoch log's chain value after `completed` epochs.
        var chain = EpochLog.start
        var completed = 0
        var phases = Report.Phases(initialise: 0, train: 0, predict: 0, evaluate: 0)
    }

    /// A fresh model with A from k-means, or the checkpoint's state.
    private func initialState(_ folder: RunFolder, from start: Checkpoint?) throws -> State {
        let c = configuration
        var generator = MersenneTwister(seed: c.seed)
        let initial = ModelParameters<Double>.initial(c.model, using: &generator)
        var model = backend.modelBackend(c.model, parameters: initial, learningRate: c.defaults.learningRate,
                                         weightDecay: c.defaults.weightDecay)
        guard let start else {
            try interruptionPoint(folder, completed: 0)
            initialiseActions(&model, generator: &generator)
            return State(model: model, generator: generator)
        }
        try model.restore(start.model)
        let records = try folder.epochLog.restore(epochs: start.epoch, chain: start.epochChain)
        Console.progress("\(c.variantName) seed \(c.seed): resuming after epoch \(start.epoch) from \(folder.checkpointPath)")
        return State(model: model, generator: start.generator, records: records, chain: start.epochChain, completed: start.epoch)
    }

    /// The epochs still to run, each ending with its line in the epoch log and a checkpoint.
    private func train(_ state: inout State, _ folder: RunFolder, _ fingerprint: RunFingerprint,
                       clock: ContinuousClock, begin: ContinuousClock.Instant) throws {
        let c = configuration
        while state.completed < c.epochs {
            let epoch = state.completed + 1
            let epochStart = clock.now
            let batches = TrainingData.epoch(videos, batchSize: c.defaults.batchSize, frames: c.defaults.framesPerVideo,
                                             standardise: c.defaults.standardiseFeatures, using: &state.generator)
            var total = 0.0
            for (index, batch) in batches.enumerated() {
                try interruptionPoint(folder, completed: state.completed)
                total += state.model.step(batch, settings: c.defaults.train, using: &state.generator)
                let elapsed = (clock.now - begin).seconds
                status("\(c.variantName) seed \(c.seed): epoch \(epoch)/\(c.epochs) step \(index + 1)/\(batches.count) "
                               + "loss \(String(format: "%.4f", total / Double(index + 1))) "
                       + "elapsed \(String(format: "%.1f", elapsed)) s" + remaining(epoch, index, batches.count, elapsed), false)
            }
            let record = EpochRecord(epoch: epoch, loss: total / Double(batches.count), seconds: (clock.now - epochStart).seconds)
            state.records.append(record)
            state.chain = try folder.epochLog.append(record, after: state.chain)
            let checkpoint = Checkpoint(fingerprint: fingerprint, epoch: epoch, epochChain: state.chain, generator: state.generator,
                                        model: try state.model.checkpoint(), commit: BuildInfo.commit)
            try FileSystem.writeAtomically(try checkpoint.encoded(), to: folder.checkpointPath)
            state.completed = epoch
            if verbose && !Console.isTerminal {
                Console.progress("\(c.variantName) seed \(c.seed): epoch \(epoch)/\(c.epochs) loss \(String(format: "%.4f", record.loss)) "
                                 + "(\(String(format: "%.2f", record.seconds)) s)")
            }
        }
    }

    /// Predicts every whole video, scores, and commits predictions, report and metrics together.
    private func finish(_ state: inout State, _ folder: RunFolder, _ fingerprint: RunFingerprint, resumed start: Checkpoint?,
                        clock: ContinuousClock, begin: ContinuousClock.Instant) throws -> Report {
        let c = configuration
        status("\(c.variantName) seed \(c.seed): predicting \(videos.count) videos", false)
        let predictStart = clock.now
        var sequences: [LabelledSequence] = []
        for video in videos {
            try interruptionPoint(folder, completed: state.completed)
            let input = TrainingData.testInput(video, standardise: c.defaults.standardiseFeatures)
            let labels = state.model.predict(input, settings: c.defaults.eval, using: &state.generator)
            sequences.append(LabelledSequence(name: video.name, predicted: labels, groundTruth: video.labels))
        }
        state.phases.predict = (clock.now - predictStart).seconds
        let evaluateStart = clock.now
        let evaluation = EvaluationProtocol(excludedClass: c.defaults.excludedClass, seed: c.seed)
        let activity = try evaluation.evaluateActivity(sequences)
        let videoLevel = try evaluation.evaluateVideos(sequences)
        var report = Report(activity: activity.scores, video: videoLevel.scores, method: c.method.rawValue, variant: c.variantName,
                            dataset: c.dataset.rawValue, activityName: c.activity, seed: c.seed, epochs: c.epochs, backend: backend,
                            clusters: c.model.clusters, videos: videos.map(\.name), config: c, perEpoch: state.records,
                            wallSeconds: (clock.now - begin).seconds, phases: nil, fingerprint: fingerprint,
                            resumed: start.map { Report.Resumed(afterEpoch: $0.epoch, commit: $0.commit) },
                            provenance: .current(backend))
        report.f1Note += "; `clot evaluate --seed \(c.seed)` on predictions/ reproduces this f1 (its default seed is 0)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let html = HTMLReport.training(report, sequences: sequences, matching: activity.matching, mapping: inputs.mapping,
                                       paper: BundledFiles.paperTables)
        try interruptionPoint(folder, completed: state.completed)
        // Timings as of now; the commit below (writing a few files) is not in them.
        state.phases.evaluate = (clock.now - evaluateStart).seconds
        report.phases = state.phases
        let metrics = Array(try encoder.encode(report))
        try folder.commit(predictions: sequences.map { ($0.name, $0.predicted.map { "\($0)\n" }.joined()) },
                          report: html, metrics: metrics)
        status("\(c.variantName) seed \(c.seed): done in \(String(format: "%.1f", report.wallSeconds)) s", true)
        return report
    }

    /// The checkpoint to continue from, as the resume policy decides; nil to start over.
    private func startingPoint(_ folder: RunFolder, _ fingerprint: RunFingerprint) throws -> Checkpoint? {
        switch resume {
        case .never:
            return nil
        case .required:
            guard let saved = try Checkpoint.read(folder.checkpointPath) else {
                Console.progress("no checkpoint at \(folder.checkpointPath): starting from the beginning")
                return nil
            }
            try check(saved, fingerprint, folder)
            return saved
        case .ifPossible(let sameCommitOnly):
            do {
                guard let saved = try Checkpoint.read(folder.checkpointPath) else { return nil }
                try check(saved, fingerprint, folder)
                if sameCommitOnly && saved.commit != BuildInfo.commit {
                    Console.progress("not continuing \(folder.checkpointPath): commit \(saved.commit.prefix(12)) wrote it; starting over")
                    return nil
                }
                return saved
            } catch let error as InputError {
                Console.progress("not continuing \(error.source): \(error.message); starting over")
                return nil
            }
        }
    }

    /// Refuses a checkpoint of another run, one past the epochs asked for, or one whose epoch
    /// log is missing or damaged.
    private func check(_ saved: Checkpoint, _ fingerprint: RunFingerprint, _ folder: RunFolder) throws {
        guard saved.fingerprint.trajectory == fingerprint.trajectory else {
            var changes = fingerprint.differences(from: saved.fingerprint)
            changes.removeAll { $0.hasPrefix("epochs ") }
            throw InputError(folder.checkpointPath, "belongs to a different run: " + changes.joined(separator: "; "),
                             hint: "use the same settings and data, or another output folder")
        }
        guard saved.epoch <= configuration.epochs else {
            throw InputError(folder.checkpointPath, "holds the state after epoch \(saved.epoch), past --epochs \(configuration.epochs); "
                             + "a run cannot go back", hint: "pass --epochs \(saved.epoch) or more, or start over without --resume")
        }
        _ = try folder.epochLog.read(epochs: saved.epoch, chain: saved.epochChain)
    }

    /// A safe point: stops the run when SIGINT or SIGTERM came, saying what is left.
    private func interruptionPoint(_ folder: RunFolder, completed: Int) throws {
        try Interruption.check(completed == 0
            ? "before the first epoch finished; no checkpoint was written (run again to start over)"
            : "after epoch \(completed) of \(configuration.epochs); \(folder.checkpointPath) holds epoch \(completed): "
              + "add --resume to continue, or --resume --epochs \(completed) to score the model as it stands")
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
