// swift-tools-version: 6.0
//
// CLOT / ASOT reference implementation and reproducibility suite.
//
// Layout (see README.md, "Architecture"):
//   CLOTCore    shared types both implementations use: matrices, videos and datasets,
//               NumPy files, the seeded generator, configuration, evaluation metrics
//   Reference   every equation written plainly in Swift (Double), the specification in code
//   Optimized   the same API in Float32, fast (its own fixed-order sgemm; OpenBLAS only as a benchmark comparison)
//   CLOTCommands the `clot` subcommands as a library, so tests can drive them in-process
//   CPUCheck    C: whether the CPU can run an x86-64-v3 build (checked before anything else runs)
//   clot        the command-line executable
//   BuildInfo   build-tool plugin: records the git commit the tool is built from
import Foundation
import PackageDescription

/// Vector code generation for the build machine's CPU: when it has AVX2 and FMA (x86-64-v3:
/// Haswell and later, every current x86 server), all targets compile for x86-64-v3, so the
/// eight-lane Float kernels are one AVX register instead of two SSE ones and the matrix
/// product's fused multiply-adds are single instructions. Results are bitwise the same either
/// way: Swift never contracts a·b + c into an FMA by itself, the fused multiply-adds the code
/// asks for are correctly rounded on every CPU (in software where there is no FMA unit), and
/// every reduction's order is written out in the code (REPRODUCE.md, "Same numbers
/// everywhere"). Set CLOT_PORTABLE=1 to build for baseline x86-64 (a binary to copy to an older
/// machine; its matrix products are much slower).
let vectorFlags: [SwiftSetting] = {
    #if arch(x86_64) && os(Linux)
    if ProcessInfo.processInfo.environment["CLOT_PORTABLE"] != nil { return [] }
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    let v3: Set<String> = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "xsave"]
    return v3.isSubset(of: flags) ? [.unsafeFlags(["-Xcc", "-march=x86-64-v3"]), .define("CLOT_X86_64_V3")] : []
    #else
    return []
    #endif
}()

/// `-static-stdlib` on Linux, where the toolchain ships the static Swift libraries, with the
/// static Foundation's own dependencies, which modules compiled for the shared runtime do not
/// name (`swift build --static-swift-stdlib` does the same for every target, tests included).
let staticSwiftRuntime: [LinkerSetting] = {
    #if os(Linux)
    return [.unsafeFlags(["-static-stdlib"])]
        + ["_FoundationCollections", "_FoundationCShims", "CoreFoundation", "_FoundationICU"].map { .linkedLibrary($0) }
    #else
    return []
    #endif
}()

let package = Package(
    name: "CLOT",
    products: [
        .executable(name: "clot", targets: ["clot"]),
        .library(name: "CLOTCore", targets: ["CLOTCore"]),
        .library(name: "Reference", targets: ["Reference"]),
        .library(name: "Optimized", targets: ["Optimized"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .target(name: "CLOTCore"),
        .target(
            name: "Reference",
            dependencies: ["CLOTCore", .product(name: "RealModule", package: "swift-numerics")]
        ),
        // OpenBLAS is opened at run time, only by the benchmark that compares it (Kernels/OpenBLAS.swift).
        .target(name: "Optimized", dependencies: ["CLOTCore"]),
        .target(
            name: "CLOTCommands",
            dependencies: [
                "CLOTCore", "Reference", "Optimized",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildInfo"]
        ),
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // C, compiled for baseline x86-64: the executable asks it whether the CPU can run the rest.
        .target(name: "CPUCheck"),
        .executableTarget(
            name: "clot",
            dependencies: ["CLOTCommands", "CPUCheck"],
            // The Swift runtime and Foundation linked into the executable: the dynamic loader
            // otherwise resolves some 25 000 symbols across 16 Swift libraries at every start,
            // a third of a one-shot `clot segment` (REPRODUCE.md, "Speed").
            linkerSettings: staticSwiftRuntime
        ),
        .target(name: "TestSupport", dependencies: ["CLOTCore"], path: "Tests/Support"),
        .testTarget(
            name: "NumericsTests",
            dependencies: ["CLOTCore", "Reference", "Optimized", "TestSupport"],
            path: "Tests/Numerics"
        ),
        .testTarget(
            name: "RegressionTests",
            dependencies: ["CLOTCore", "Reference", "Optimized", "CLOTCommands", "TestSupport"],
            path: "Tests/Regression"
        ),
    ]
)

for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + vectorFlags
}
