import CLOTCore

/// Shard I of N of a reproduction (`clot reproduce --shard I/N`, or a Slurm job array's
/// task): a deterministic share of the runs, balanced by their expected cost.
///
/// Every shard computes the same plan from the same data and options, and the same assignment
/// from it, so N processes on N machines split the runs without talking to each other; each
/// run's folder is locked while it runs and written all or nothing, so shards may share one
/// output folder.
struct ReproductionShard: Equatable {
    /// 1-based.
    var index: Int
    var count: Int

    /// Parses "I/N" (1 ≤ I ≤ N).
    init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let count = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw InputError("--shard", "'\(text)' is not I/N", hint: "e.g. --shard 2/8: the second of eight shards (1-based)")
        }
        guard count >= 1, (1...count).contains(index) else {
            throw InputError("--shard", "'\(text)': I must be from 1 to N and N at least 1", hint: "e.g. --shard 2/8")
        }
        self.index = index
        self.count = count
    }

    /// The shard a Slurm job array's task runs, from `SLURM_ARRAY_TASK_ID`, `_COUNT`, `_MIN` and
    /// `_STEP` (default 1): task MIN is shard 1, MIN + STEP shard 2, … whatever the array's
    /// first index (`--array=0-9`, `1-10` and `100-190:10` all give shards 1/10 … 10/10). Nil
    /// when the process is not an array task. An array given as a list with gaps
    /// (`--array=1,5,9`) cannot be numbered this way and is refused.
    static func fromSlurm(_ environment: [String: String]) throws -> ReproductionShard? {
        guard environment["SLURM_ARRAY_TASK_ID"] != nil else { return nil }
        func number(_ name: String, default value: Int? = nil) throws -> Int {
            guard let text = environment[name] else {
                if let value { return value }
                throw InputError(name, "is not set, but SLURM_ARRAY_TASK_ID is", hint: "run inside a Slurm job array, or give --shard I/N")
            }
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw InputError(name, "'\(text)' is not an integer", hint: "or give --shard I/N")
            }
            return n
        }
        let id = try number("SLURM_ARRAY_TASK_ID"), count = try number("SLURM_ARRAY_TASK_COUNT")
        let minimum = try number("SLURM_ARRAY_TASK_MIN"), step = try number("SLURM_ARRAY_TASK_STEP", default: 1)
        let offset = id - minimum
        guard count >= 1, step >= 1, offset >= 0, offset % step == 0, offset / step < count else {
            throw InputError("SLURM_ARRAY_TASK_ID", "task \(id) of an array of \(count) from \(minimum) in steps of \(step) is not one of "
                             + "its evenly spaced tasks", hint: "give the array as a range (--array=1-N), or pass --shard I/N yourself")
        }
        return try ReproductionShard(parsing: "\(offset / step + 1)/\(count)")
    }

    /// The indices (into `costs`, in increasing order) of the items this shard runs. Items go
    /// to shards greedily, costliest first, each to the shard with the least cost so far
    /// (ties: the lower shard; equal costs: the earlier item): the largest shard exceeds the
    /// mean by at most one item's cost. Depends only on `costs` and N.
    func select(costs: [Double]) -> [Int] {
        let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
        var load = [Double](repeating: 0, count: count)
        var mine: [Int] = []
        for item in order {
            var lightest = 0
            for shard in 1..<count where load[shard] < load[lightest] { lightest = shard }
            load[lightest] += costs[item]
            if lightest == index - 1 { mine.append(item) }
        }
        return mine.sorted()
    }
}
