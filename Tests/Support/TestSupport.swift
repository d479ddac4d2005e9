import Foundation
import Testing
import CLOTCore

/// Where the repository's `fixtures/` folder is, found from this source file.
public let fixturesDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/Support/TestSupport.swift → root
    return url.appendingPathComponent("fixtures").path
}()

/// The shared real-data folder beside the checkout (`../shared/data`), if present.
public let sharedDataDirectory: String? = {
    var url = URL(fileURLWithPath: fixturesDirectory)
    url.deleteLastPathComponent()
    url.deleteLastPathComponent()
    let candidate = url.appendingPathComponent("shared/data").path
    return FileSystem.isDirectory(candidate + "/Breakfast") ? candidate : nil
}()

/// Decodes a JSON fixture under `fixtures/`.
public func loadFixture<T: Decodable>(_ relativePath: String, as type: T.Type = T.self) throws -> T {
    let url = URL(fileURLWithPath: fixturesDirectory).appendingPathComponent(relativePath)
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// Whether a fixture file exists.
public func fixtureExists(_ relativePath: String) -> Bool {
    FileSystem.isFile(fixturesDirectory + "/" + relativePath)
}

/// Relative error of a Float32 result against a Double reference (swift-numerics' `_TestSupport`).
public func relativeError(_ test: Float, _ reference: Double) -> Double {
    let scale = max(abs(reference), Double(Float.leastNormalMagnitude))
    return abs(Double(test) - reference) / scale
}

/// Expects |a − b| ≤ tolerance, reporting at the caller's line.
public func expectClose(_ a: Double, _ b: Double, tolerance: Double, _ comment: Comment? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(a - b) <= tolerance, "\(a) vs \(b) (tolerance \(tolerance)) \(comment.map { $0.description } ?? "")",
            sourceLocation: sourceLocation)
}

/// A fresh temporary folder, removed by the caller.
public func temporaryDirectory(_ prefix: String = "clot-test") -> String {
    let path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Named tolerances, each with its reason (Documentation/Conventions.md rule 13).
public enum Tolerance {
    /// Double computations that should agree to rounding: ~1e-10 leaves room for differently
    /// ordered sums of a few thousand terms (each ~1e-16 relative).
    public static let double = 1e-10
    /// Float32 against Double: a few hundred Float ulps (ε = 1.2e-7) of accumulated rounding.
    public static let float32 = 1e-4
}

// MARK: Input errors and scratch files

/// Runs `body` and expects it to throw an `InputError` whose `description` contains every
/// string of `fragments` (the file it names, the problem it states). Returns the error.
@discardableResult
public func expectInputError<R>(mentioning fragments: [String],
                                sourceLocation: SourceLocation = #_sourceLocation,
                                _ body: () throws -> R) -> InputError? {
    do {
        let value = try body()
        Issue.record("expected an InputError mentioning \(fragments), got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as InputError {
        for fragment in fragments {
            #expect(error.description.contains(fragment),
                    "'\(error.description)' does not mention '\(fragment)'", sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected an InputError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Writes UTF-8 text to `path`, creating its parent folders.
public func writeText(_ text: String, to path: String) throws {
    try writeBytes(Array(text.utf8), to: path)
}

/// Writes bytes to `path`, creating its parent folders.
public func writeBytes(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
}

/// Removes a temporary folder made by `temporaryDirectory`.
public func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

// MARK: NumPy's legacy RandomState, recorded (fixtures/golden/numpy_mt19937.json)

/// One recorded call on a seeded `numpy.random.RandomState`, in fixture order:
/// `uint32` (raw words), `random_sample`, `random_integers(lo, up, n)`, `randn`,
/// `randint(low[i], high[i])` over arrays of bounds (`randint_intervals`, with `N` the video
/// length the bounds were made for), `permutation(n)`.
public struct NumPyRandomOperation: Decodable, Sendable {
    public var op: String
    public var n: Int?
    public var lo: Int?
    public var up: Int?
    public var low: [Int]?
    public var high: [Int]?
    /// `N` of a `randint_intervals` op.
    public var frameCount: Int?
    /// The recorded values of the integer ops.
    public var integers: [Int64]?
    /// The recorded values of `random_sample` and `randn`.
    public var reals: [Double]?

    enum CodingKeys: String, CodingKey { case op, n, lo, up, low, high, frameCount = "N", values }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        op = try c.decode(String.self, forKey: .op)
        n = try c.decodeIfPresent(Int.self, forKey: .n)
        lo = try c.decodeIfPresent(Int.self, forKey: .lo)
        up = try c.decodeIfPresent(Int.self, forKey: .up)
        low = try c.decodeIfPresent([Int].self, forKey: .low)
        high = try c.decodeIfPresent([Int].self, forKey: .high)
        frameCount = try c.decodeIfPresent(Int.self, forKey: .frameCount)
        if op == "random_sample" || op == "randn" {
            reals = try c.decode([Double].self, forKey: .values)
        } else {
            integers = try c.decode([Int64].self, forKey: .values)
        }
    }

    /// How many values the op recorded.
    public var count: Int { integers?.count ?? reals?.count ?? 0 }
}

/// One seed's recorded sequence of operations on one generator.
public struct NumPyRandomCase: Decodable, Sendable, CustomTestStringConvertible {
    public var seed: UInt32
    public var ops: [NumPyRandomOperation]
    public var testDescription: String { "seed \(seed)" }
}

public let numpyRandomFixture = "golden/numpy_mt19937.json"

/// The recorded cases, or none when the fixture is absent (tests using them are then disabled
/// with `.enabled(if: fixtureExists(numpyRandomFixture))`).
public func numpyRandomCases() throws -> [NumPyRandomCase] {
    struct File: Decodable { var cases: [NumPyRandomCase] }
    guard fixtureExists(numpyRandomFixture) else { return [] }
    return try (loadFixture(numpyRandomFixture) as File).cases
}

/// The `clot` executable built beside the test bundle (swift test builds it), if present.
public let clotExecutable: String? = {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundle, bundle.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("clot").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}()

/// Runs `clot` with `arguments` in a child process whose environment is this process's with
/// `environment` applied (nil values remove a variable); returns the exit status and stderr.
@discardableResult
public func runClot(_ arguments: [String], environment: [String: String?] = [:]) throws -> (status: Int32, standardError: String) {
    guard let executable = clotExecutable else { throw CocoaError(.fileNoSuchFile) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let errors = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

/// Starts `clot` with `arguments` in a child process, its standard error going to the file
/// `standardError` (a file, not a pipe: a long run's progress lines would fill a pipe nobody
/// reads and block the child). The caller waits for it or signals it.
public func launchClot(_ arguments: [String], standardError: String, workingDirectory: String? = nil,
                       environment: [String: String?] = [:]) throws -> Process {
    guard let executable = clotExecutable else { throw CocoaError(.fileNoSuchFile) }
    _ = FileManager.default.createFile(atPath: standardError, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle(forWritingAtPath: standardError)
    try process.run()
    return process
}

/// Polls `condition` every 10 ms until it holds or `seconds` pass; returns whether it held.
@discardableResult
public func waitUntil(seconds: Double = 60, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        usleep(10_000)
    }
    return true
}
