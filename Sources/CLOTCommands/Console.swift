import Foundation

/// Terminal output helpers: progress goes to standard error (unbuffered), results to
/// standard output, so `clot … > file` keeps only results.
enum Console {
    static func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension Console {
    /// Whether standard error is a terminal (then progress redraws one line; otherwise it
    /// prints plain log lines).
    static var isTerminal: Bool { isatty(2) != 0 }

    /// A progress line: redrawn in place on a terminal, a plain line otherwise.
    static func status(_ line: String, final: Bool = false) {
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + (final ? "\n" : "")).utf8))
        } else if final {
            progress(line)
        }
    }
}
