import Foundation

/// The arithmetic family a process runs in: the machines on which the same build gives the same
/// bits. Every product in the project is a fixed-order chain of correctly rounded operations,
/// so what is left to differ between CPUs is the C library's `exp`, `log` and `expf` / `logf`:
/// glibc picks one implementation per CPU at load time (on x86-64, its FMA variants on CPUs
/// with AVX2 and FMA), and those may round a rare argument differently from its other variants.
/// Results are therefore promised bit for bit within a family, and frozen test results are kept
/// per family (`fixtures/frozen/<family>/`).
public enum ArithmeticFamily: String, Codable, Sendable, CaseIterable {
    /// x86-64 with AVX2 and FMA (x86-64-v3: Intel since Haswell, AMD since Zen, AVX-512 CPUs
    /// included), glibc's FMA variants of its math functions.
    case x86_64FMA = "x86_64-fma"
    /// x86-64 without AVX2 or FMA: software FMA (same bits, slow), glibc's SSE2 math functions.
    case x86_64NoFMA = "x86_64-nofma"
    /// 64-bit ARM.
    case aarch64
    /// Anything else.
    case other

    /// The family of the CPU this process runs on.
    public static let current: ArithmeticFamily = {
        #if arch(x86_64)
        let flags = CPUDescription.current.flags
        return flags.contains("avx2") && flags.contains("fma") ? .x86_64FMA : .x86_64NoFMA
        #elseif arch(arm64)
        return .aarch64
        #else
        return .other
        #endif
    }()

    /// The family whose frozen results the repository ships (the machines it is developed and
    /// tested on); tests on another family check determinism and closeness instead of bits.
    public static let frozen: ArithmeticFamily = .x86_64FMA
}

/// What the kernel says about the CPU (Linux `/proc/cpuinfo`); empty elsewhere.
public struct CPUDescription: Sendable {
    /// "Intel(R) Xeon(R) Processor", "AMD EPYC 7B13", …
    public var model: String
    /// The feature flags, lower case ("avx2", "fma", "avx512f", …).
    public var flags: Set<String>

    public static let current: CPUDescription = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUDescription(model: "unknown", flags: [])
        }
        func field(_ name: String) -> String? {
            for line in text.split(separator: "\n") where line.hasPrefix(name) {
                if let colon = line.firstIndex(of: ":") {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
        // x86 names them "model name" and "flags"; ARM "CPU part" and "Features".
        let model = field("model name") ?? field("CPU part").map { "ARM part \($0)" } ?? "unknown"
        let flags = (field("flags") ?? field("Features") ?? "").split(separator: " ").map { String($0).lowercased() }
        return CPUDescription(model: model, flags: Set(flags))
    }()

    /// The vector features that matter here, in a fixed order, for reports.
    public var vectorFeatures: String {
        let wanted = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "asimd", "sve"]
        let present = wanted.filter { flags.contains($0) }
        return present.isEmpty ? "none of \(wanted.joined(separator: ", "))" : present.joined(separator: " ")
    }
}

/// The instruction set this build was compiled for (Package.swift: x86-64-v3 when the build
/// machine has AVX2 and FMA, unless CLOT_PORTABLE is set). It changes speed, never a result.
public let buildInstructionSet: String = {
    #if CLOT_X86_64_V3
    return "x86-64-v3"
    #elseif arch(x86_64)
    return "x86-64 (baseline)"
    #elseif arch(arm64)
    return "aarch64"
    #else
    return "unknown"
    #endif
}()
