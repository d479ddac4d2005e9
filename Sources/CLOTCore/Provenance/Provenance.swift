/// What made a result, written into every output (metrics.json, results.json, the reports and
/// the JSON summaries): the arithmetic its bits depend on, the code, and the machine it ran on.
///
/// `arithmetic` and `tool` are the same on every machine of one arithmetic family running one
/// build, so two outputs whose `arithmetic` and `tool` agree must agree bit for bit;
/// `environment` describes the machine and the thread settings, which change timings only.
public struct Provenance: Codable, Equatable, Sendable {
    /// What the bits depend on.
    public struct Arithmetic: Codable, Equatable, Sendable {
        /// `ArithmeticFamily.rawValue`: "x86_64-fma", …
        public var family: String
        /// The number type and the implementation: "optimized: Float32", "reference: Double".
        public var backend: String
        /// How matrix products are computed (Optimized) — the fixed order unless a benchmark
        /// switched to OpenBLAS.
        public var matrixProduct: String

        enum CodingKeys: String, CodingKey { case family, backend, matrixProduct = "matrix_product" }
    }

    /// The code.
    public struct Tool: Codable, Equatable, Sendable {
        /// The git commit the tool was built from ("+uncommitted" when the tree had changes).
        public var commit: String
    }

    /// The machine and the settings that change speed only.
    public struct Environment: Codable, Equatable, Sendable {
        public var cpu: String
        public var cpuFeatures: String
        public var buildInstructionSet: String
        /// OpenBLAS's configuration string, the kernel it picked (or was forced to) when it
        /// loaded, and its threads — or "not loaded": only the benchmark comparison opens it.
        public var openBLAS: String
        public var openBLASKernel: String?
        public var openBLASThreads: Int?
        public var solverThreads: Int

        enum CodingKeys: String, CodingKey {
            case cpu, cpuFeatures = "cpu_features", buildInstructionSet = "build_instruction_set", openBLAS = "openblas"
            case openBLASKernel = "openblas_kernel", openBLASThreads = "openblas_threads", solverThreads = "solver_threads"
        }
    }

    public var arithmetic: Arithmetic
    public var tool: Tool
    public var environment: Environment

    /// The provenance of a result computed now, in this process: the arithmetic family and the
    /// machine are this process's own; the caller, which knows the backends, gives the rest.
    ///
    /// - Parameters:
    ///   - commit: the git commit the tool was built from.
    ///   - backend: the number type and the implementation ("optimized: Float32").
    ///   - matrixProduct: how matrix products are computed.
    ///   - openBLAS: OpenBLAS's configuration, kernel and threads when this process opened it.
    ///   - solverThreads: the threads the ASOT solver runs on.
    public init(commit: String, backend: String, matrixProduct: String,
                openBLAS: (configuration: String, kernel: String, threads: Int)?, solverThreads: Int) {
        arithmetic = Arithmetic(family: ArithmeticFamily.current.rawValue, backend: backend, matrixProduct: matrixProduct)
        tool = Tool(commit: commit)
        environment = Environment(cpu: CPUDescription.current.model, cpuFeatures: CPUDescription.current.vectorFeatures,
                                  buildInstructionSet: buildInstructionSet,
                                  openBLAS: openBLAS?.configuration ?? "not loaded (no result uses it)",
                                  openBLASKernel: openBLAS?.kernel, openBLASThreads: openBLAS?.threads,
                                  solverThreads: solverThreads)
    }

    /// One line for tables and reports.
    public var summary: String {
        "arithmetic \(arithmetic.family), \(arithmetic.backend), \(arithmetic.matrixProduct); commit \(tool.commit.prefix(12))"
            + (tool.commit.hasSuffix("+uncommitted") ? "+uncommitted" : "")
            + "; \(environment.cpu) (\(environment.buildInstructionSet) build), solver threads \(environment.solverThreads)"
    }
}
