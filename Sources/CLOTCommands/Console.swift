import Foundation
import Synchronization

/// Terminal output helpers: progress goes to standard error (unbuffered), results to
/// standard output, so `clot … > file` keeps only results. Safe to call from several threads
/// (`clot reproduce --jobs`): each line is written whole, and on a terminal a plain line first
/// clears the status line drawn below it and then draws it again.
enum Console {
    /// The status line drawn on the terminal now, if any.
    private static let drawn = Mutex<String?>(nil)

    static func progress(_ line: String) {
        drawn.withLock { status in
            write((status != nil ? clearLine : "") + line + "\n" + (status ?? ""))
        }
    }
}

extension Console {
    /// Whether standard error is a terminal (then progress redraws one line; otherwise it
    /// prints plain log lines).
    static var isTerminal: Bool { isatty(2) != 0 }

    /// A progress line: redrawn in place on a terminal, a plain line otherwise.
    static func status(_ line: String, final: Bool = false) {
        if isTerminal {
            drawn.withLock { status in
                write(clearLine + line + (final ? "\n" : ""))
                status = final ? nil : line
            }
        } else if final {
            progress(line)
        }
    }

    /// Carriage return and "erase line".
    private static let clearLine = "\r\u{1B}[2K"

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
