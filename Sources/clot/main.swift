import CLOTCommands
import CPUCheck
#if canImport(Glibc)
import Glibc

// A build for x86-64-v3 (Package.swift: the build machine had AVX2 and FMA) copied to a CPU
// without them would stop on an illegal instruction somewhere; say why instead.
#if CLOT_X86_64_V3
if clot_cpu_lacks_x86_64_v3() != 0 {
    let message = "clot: this build uses AVX2 and FMA (x86-64-v3), which this CPU lacks; "
        + "rebuild it here with CLOT_PORTABLE=1 swift build -c release (same results, see REPRODUCE.md §7)\n"
    _ = message.withCString { write(2, $0, strlen($0)) }
    exit(2)
}
#endif

// Keep freed memory in the process for reuse. The solvers allocate their N × K buffers once per
// call, and glibc's defaults hand blocks this size (hundreds of KB) back to the kernel on
// free, so every video decoded or trained on paid for fresh, zero-filled pages again (about a
// fifth of a 5000-frame decode here). Only the allocator's bookkeeping changes, not a result.
// (mallopt is declared in <malloc.h>, which the Glibc module does not import.)
if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    let mmapThreshold: Int32 = -3, trimThreshold: Int32 = -1   // M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
    _ = mallopt(mmapThreshold, 64 << 20)
    _ = mallopt(trimThreshold, 256 << 20)
}
#endif

// `clot segment` with plain arguments skips ArgumentParser's reflection (see
// `SegmentJob(plainArguments:)`); everything else, and every error, goes through it.
if !ClotCommand.runPlainSegment(CommandLine.arguments.dropFirst()) {
    ClotCommand.runAsTool()
}
