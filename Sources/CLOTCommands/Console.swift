import Foundation

/// Terminal output helpers: progress goes to standard error (unbuffered), results to
/// standard output, so `clot … > file` keeps only results.
enum Console {
    static func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
