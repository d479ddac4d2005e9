import CLOTCore
import ArgumentParser

/// `clot segment`'s command line read directly, for the plain invocations that scripts make.
///
/// ArgumentParser builds a command by reflection over its options: for `segment`'s 21 that
/// took as long as decoding a 5000-frame video, at every start of a one-shot process. So `main`
/// first tries this reader, which accepts only arguments that are each a known `--name value`
/// or flag, given once, whose values parse as ArgumentParser parses them and which make a
/// usable job. Anything else (help, an unknown or repeated name, `--name=value`, a missing or
/// malformed value, a job with `problem`) gives nil, and ArgumentParser then reads the command
/// line and gives its usual messages. The tests hold the names and the results to
/// ArgumentParser's.
extension SegmentJob {
    init?(plainArguments arguments: ArraySlice<String>) {
        self.init()
        var seen = Set<String>(), index = arguments.startIndex
        while index < arguments.endIndex {
            let name = arguments[index]
            guard seen.insert(name).inserted else { return nil }
            if let flag = Self.plainFlags[name] {
                flag(&self)
                index += 1
                continue
            }
            let next = index + 1
            guard let option = Self.plainOptions[name], next < arguments.endIndex, option(&self, arguments[next]) else {
                return nil
            }
            index = next + 1
        }
        guard seen.contains("--labels"), problem == nil else { return nil }
    }

    static let plainFlags: [String: @Sendable (inout SegmentJob) -> Void] = [
        "--unbalanced-frames": { $0.settings.framesUnbalanced = true },
        "--balanced-actions": { $0.settings.actionsUnbalanced = false },
        "--json": { $0.json = true },
    ]

    /// Each option's reader: false when its value does not parse.
    static let plainOptions: [String: @Sendable (inout SegmentJob, String) -> Bool] = [
        "--affinity": path { $0.affinity = $1 }, "--cost": path { $0.cost = $1 },
        "--labels": path { $0.labels = $1 }, "--plan": path { $0.plan = $1 }, "--svg": path { $0.svg = $1 },
        "--eps": number { $0.settings.epsilon = $1 }, "--alpha": number { $0.settings.alpha = $1 }, "--radius": number { $0.settings.radius = $1 },
        "--lambda-actions": number { $0.settings.lambdaActions = $1 }, "--lambda-frames": number { $0.settings.lambdaFrames = $1 },
        "--step-size": number { $0.settings.stepSize = $1 }, "--rho": number { $0.rho = $1 },
        "--iterations": integer { $0.settings.outerIterations = $1 }, "--sinkhorn-iterations": integer { $0.settings.sinkhornIterations = $1 },
        "--backend": { job, text in
            guard let backend = Implementation(rawValue: text) else { return false }
            job.backend = backend
            return true
        },
    ]

    /// A path: any value ArgumentParser would not take for the next option.
    private static func path(_ set: @escaping @Sendable (inout SegmentJob, String) -> Void) -> @Sendable (inout SegmentJob, String) -> Bool {
        { job, text in
            guard !text.hasPrefix("-") else { return false }
            set(&job, text)
            return true
        }
    }

    /// A number as `Double(String)` reads it (ArgumentParser's reading; a leading minus allowed).
    private static func number(_ set: @escaping @Sendable (inout SegmentJob, Double) -> Void) -> @Sendable (inout SegmentJob, String) -> Bool {
        { job, text in
            guard let value = Double(text) else { return false }
            set(&job, value)
            return true
        }
    }

    private static func integer(_ set: @escaping @Sendable (inout SegmentJob, Int) -> Void) -> @Sendable (inout SegmentJob, String) -> Bool {
        { job, text in
            guard let value = Int(text) else { return false }
            set(&job, value)
            return true
        }
    }
}

extension ClotCommand {
    /// Runs `clot segment` when `arguments` (the command line without the program name) is a
    /// plain one (`SegmentJob(plainArguments:)`), exiting with ArgumentParser's message and
    /// status on an error; returns false, having done nothing, for `main()` to handle the rest.
    public static func runPlainSegment(_ arguments: ArraySlice<String>) -> Bool {
        guard arguments.first == "segment", let job = SegmentJob(plainArguments: arguments.dropFirst()) else {
            return false
        }
        do {
            try ToolEnvironment.validate()
            try job.run()
        } catch {
            ClotCommand.fail(with: error)
        }
        return true
    }
}
