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

/// Named tolerances, each with its reason (style-anchors rule 5).
public enum Tolerance {
    /// Double computations that should agree to rounding: ~1e-10 leaves room for differently
    /// ordered sums of a few thousand terms (each ~1e-16 relative).
    public static let double = 1e-10
    /// Float32 against Double: a few hundred Float ulps (ε = 1.2e-7) of accumulated rounding.
    public static let float32 = 1e-4
}
