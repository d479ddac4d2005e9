import Foundation

/// Everything a training run's numbers depend on, and one digest of it: the whole run
/// configuration as encoded (dataset, activity, method, variant, K, seed, epochs, every
/// dataset default and model setting — a setting added later is covered without naming it
/// here), the backend, the arithmetic (`Provenance.Arithmetic`: family, number type, matrix
/// product) and the input data (`DataFingerprint`: names, sizes and content hashes).
///
/// Equal digests promise the same numbers bit for bit — from the same code. The tool's commit
/// is deliberately not part of it: most commits do not change a single result (the frozen
/// tests pin the bits of a training run, and a commit that changes them regenerates them), and
/// a fingerprint that changed with every commit would make every finished reproduction stale
/// after each `git pull`. The commit is recorded beside the fingerprint instead (metrics.json's
/// `provenance.tool`), `clot reproduce` names every reused run that another commit made, and
/// `clot reproduce --rerun-other-commits` re-runs them.
public struct RunFingerprint: Codable, Equatable, Sendable {
    public var configuration: RunConfiguration
    /// "optimized" or "reference".
    public var backend: String
    public var arithmetic: Provenance.Arithmetic
    public var data: DataFingerprint
    /// XXH64 of the canonical JSON of the four above (sorted keys), 16 hex digits.
    public var digest: String
    /// XXH64 as above with `epochs` left out: runs that differ only in length follow one
    /// trajectory (nothing in training depends on the epoch count), so the checkpoint after
    /// epoch E of one is the state after epoch E of the other.
    public var trajectory: String

    public init(configuration: RunConfiguration, backend: String, arithmetic: Provenance.Arithmetic, data: DataFingerprint) {
        self.configuration = configuration
        self.backend = backend
        self.arithmetic = arithmetic
        self.data = data
        digest = Self.hash(configuration, backend, arithmetic, data)
        var unbounded = configuration
        unbounded.epochs = 0
        trajectory = Self.hash(unbounded, backend, arithmetic, data)
    }

    private struct Canonical: Encodable {
        var configuration: RunConfiguration
        var backend: String
        var arithmetic: Provenance.Arithmetic
        var data: String
    }

    private static func hash(_ configuration: RunConfiguration, _ backend: String, _ arithmetic: Provenance.Arithmetic,
                             _ data: DataFingerprint) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(Canonical(configuration: configuration, backend: backend, arithmetic: arithmetic,
                                                   data: data.digest))) ?? Data()
        return ContentHash.hex(ContentHash.of(bytes))
    }

    /// What differs from `old`, one phrase each, for messages: "epochs 1 → 15", "backend
    /// reference → optimized", "model.clusters 7 → 8", "Breakfast/features/…npy: content changed".
    public func differences(from old: RunFingerprint) -> [String] {
        var out = Self.settingDifferences(Self.tree(old.configuration), Self.tree(configuration), path: "")
        if old.backend != backend { out.append("backend \(old.backend) → \(backend)") }
        if old.arithmetic.family != arithmetic.family { out.append("arithmetic family \(old.arithmetic.family) → \(arithmetic.family)") }
        if old.arithmetic.backend != arithmetic.backend { out.append("number type \(old.arithmetic.backend) → \(arithmetic.backend)") }
        if old.arithmetic.matrixProduct != arithmetic.matrixProduct {
            out.append("matrix product \(old.arithmetic.matrixProduct) → \(arithmetic.matrixProduct)")
        }
        out += data.differences(from: old.data)
        if out.isEmpty && old.digest != digest { out.append("fingerprint \(old.digest) → \(digest)") }
        return out
    }

    /// The configuration as a JSON tree (dictionaries, arrays, leaves), for naming differences.
    private static func tree(_ configuration: RunConfiguration) -> Any {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(configuration),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return [:] as [String: Any] }
        return object
    }

    private static func settingDifferences(_ a: Any, _ b: Any, path: String) -> [String] {
        if let x = a as? [String: Any], let y = b as? [String: Any] {
            return Set(x.keys).union(y.keys).sorted().flatMap { key in
                settingDifferences(x[key] ?? NSNull(), y[key] ?? NSNull(), path: path.isEmpty ? key : path + "." + key)
            }
        }
        let (u, v) = (leafText(a), leafText(b))
        return u == v ? [] : ["\(path) \(u) → \(v)"]
    }

    private static func leafText(_ value: Any) -> String {
        if value is NSNull { return "none" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
            return String(decoding: data, as: UTF8.self)
        }
        return String(describing: value)
    }
}
