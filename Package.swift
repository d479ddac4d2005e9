// swift-tools-version: 6.0
//
// CLOT / ASOT reference implementation and reproducibility suite.
//
// Layout (see README.md, "Architecture"):
//   CLOTCore    shared types both implementations use: matrices, videos and datasets,
//               NumPy files, the seeded generator, configuration, evaluation metrics
//   Reference   every equation written plainly in Swift (Double), the specification in code
//   Optimized   the same API in Float32 on OpenBLAS/LAPACKE
//   CBLAS       system-library module for OpenBLAS's cblas.h and netlib's lapacke.h
//   CLOTCommands the `clot` subcommands as a library, so tests can drive them in-process
//   clot        the command-line executable
import PackageDescription

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
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(name: "CLOTCore"),
        .target(
            name: "Reference",
            dependencies: ["CLOTCore", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(name: "Optimized", dependencies: ["CLOTCore", "CBLAS"]),
        .target(
            name: "CLOTCommands",
            dependencies: [
                "CLOTCore", "Reference", "Optimized",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "clot", dependencies: ["CLOTCommands"]),
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
