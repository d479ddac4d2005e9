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

        public init(family: String, backend: String, matrixProduct: String) {
            self.family = family
            self.backend = backend
            self.matrixProduct = matrixProduct
        }

        enum CodingKeys: String, CodingKey { case family, backend, matrixProduct = "matrix_product" }
    }

    /// The code.
    public struct Tool: Codable, Equatable, Sendable {
        /// The git commit the tool was built from ("+uncommitted" when the tree had changes).
        public var commit: String

        public init(commit: String) { self.commit = commit }
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

        public init(cpu: String, cpuFeatures: String, buildInstructionSet: String, openBLAS: String, openBLASKernel: String?,
                    openBLASThreads: Int?, solverThreads: Int) {
            self.cpu = cpu
            self.cpuFeatures = cpuFeatures
            self.buildInstructionSet = buildInstructionSet
            self.openBLAS = openBLAS
            self.openBLASKernel = openBLASKernel
            self.openBLASThreads = openBLASThreads
            self.solverThreads = solverThreads
        }

        enum CodingKeys: String, CodingKey {
            case cpu, cpuFeatures = "cpu_features", buildInstructionSet = "build_instruction_set", openBLAS = "openblas"
            case openBLASKernel = "openblas_kernel", openBLASThreads = "openblas_threads", solverThreads = "solver_threads"
        }
    }

    public var arithmetic: Arithmetic
    public var tool: Tool
    public var environment: Environment

    public init(arithmetic: Arithmetic, tool: Tool, environment: Environment) {
        self.arithmetic = arithmetic
        self.tool = tool
        self.environment = environment
    }

    /// One line for tables and reports.
    public var summary: String {
        "arithmetic \(arithmetic.family), \(arithmetic.backend), \(arithmetic.matrixProduct); commit \(tool.commit.prefix(12))"
            + (tool.commit.hasSuffix("+uncommitted") ? "+uncommitted" : "")
            + "; \(environment.cpu) (\(environment.buildInstructionSet) build), solver threads \(environment.solverThreads)"
    }
}
