import CLOTCore
import Foundation
import Optimized

/// The environment variables `clot` reads itself, checked before any work starts so that a
/// mistyped value is an error naming the variable rather than a silent fallback.
enum ToolEnvironment {
    static func validate(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let text = environment["CLOT_SOLVER_THREADS"], Optimized.solverThreads(parsing: text) == nil {
            throw InputError("CLOT_SOLVER_THREADS", "'\(text)' is not a thread count",
                             hint: "1 keeps the solver on one thread, 2 (the default on two cores or more) allows a second; or unset it")
        }
    }
}
